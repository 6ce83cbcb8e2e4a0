import { describe, expect, it } from 'vitest';
import { ExpirySweeper } from './expiry-sweeper.js';

describe('ExpirySweeper', () => {
  it('expires each item once, in the sweep of the second its deadline falls in, and never a removed one', () => {
    const expired: string[] = [];
    const sweeper = new ExpirySweeper<{ name: string }>((item) => expired.push(item.name));
    const a = { name: 'a' };
    const b = { name: 'b' };
    const c = { name: 'c' };
    sweeper.add(a, 10_200);
    sweeper.add(b, 12_000);
    sweeper.add(c, 10_500);
    sweeper.remove(c);
    sweeper.sweep(10_999);
    expect(expired).toEqual([]);
    sweeper.sweep(11_000);
    expect(expired).toEqual(['a']);
    sweeper.sweep(12_000);
    sweeper.sweep(13_000);
    expect(expired).toEqual(['a', 'b']);
  });
});
