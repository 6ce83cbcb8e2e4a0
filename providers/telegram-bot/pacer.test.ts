import { describe, expect, it } from 'vitest';
import { ChatPacer, isGroup } from './pacer.js';

describe('ChatPacer', () => {
  it('spaces one group 3 s apart, a private chat 1 s, and all chats 30/s', () => {
    let now = 1_000_000;
    const pacer = new ChatPacer({}, () => now);
    expect([pacer.reserve('-100123'), pacer.reserve('-100123'), pacer.reserve('-100123')]).toEqual([0, 3000, 6000]);
    expect([pacer.reserve('42'), pacer.reserve('42')]).toEqual([0, 1000]);
    now += 10_000;
    const waits = Array.from({ length: 31 }, (_, i) => pacer.reserve(String(1000 + i)));
    expect(waits[0]).toBe(0);
    expect(waits[30]).toBe(1000); // the 31st message in one second waits a second
  });

  it('a 429 pushes the chat’s next slot past retry_after, not other chats', () => {
    let now = 0;
    const pacer = new ChatPacer({ privateChatMs: 1000 }, () => now);
    expect(pacer.reserve('7')).toBe(0);
    pacer.penalize('7', 5);
    expect(pacer.reserve('7')).toBe(5000);
    expect(pacer.reserve('8')).toBe(0);
    now = 20_000;
    expect(pacer.reserve('7')).toBe(0);
  });

  it('knows groups and channels', () => {
    expect([isGroup('-1001'), isGroup('@news'), isGroup('12345')]).toEqual([true, true, false]);
  });
});
