import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../../devnet/telegram/telegram.simulator.js';
import { createLogger } from '../../platform/logger.js';
import { createTelegramBotClient } from './telegram-bot.client.js';
import { TelegramApiError, TelegramRateLimitedError, TelegramUnavailableError } from './telegram-bot.errors.js';
import { ChatPacer } from './pacer.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
let sim: TelegramSimulator;
const lines: string[] = [];
const log = createLogger({
  name: 'telegram-test',
  level: 'trace',
  destination: { write: (l: string) => void lines.push(l) },
});
const fast = () => new ChatPacer({ privateChatMs: 0, groupChatMs: 0, perSecond: 1000 });

beforeAll(async () => {
  sim = await startTelegramSimulator({ tokens: [TOKEN] });
});
afterAll(async () => {
  await sim?.close();
});

describe('Telegram Bot API client against the simulator', () => {
  it('sends plain text with reply_markup passed through and reads the Message', async () => {
    sim.reset();
    const bot = createTelegramBotClient({ baseUrl: sim.url, token: TOKEN, log, pacer: fast() });
    const markup = { inline_keyboard: [[{ text: 'Open', url: 'https://t.me/x' }]] };
    const sent = await bot.sendMessage({ chat_id: -1001000000001, text: '<b>not bold</b>', reply_markup: markup });
    expect(sent).toMatchObject({ message_id: expect.any(Number), chat: { id: -1001000000001, type: 'supergroup' } });
    expect(sim.messages('-1001000000001')).toEqual([
      expect.objectContaining({ text: '<b>not bold</b>', parse_mode: null, reply_markup: markup, bot_id: '123456789' }),
    ]);
    expect(await bot.getMe()).toMatchObject({ id: 123456789, is_bot: true });
  });

  it('waits out 429 retry_after and delivers once', async () => {
    sim.reset();
    const waits: number[] = [];
    const bot = createTelegramBotClient({
      baseUrl: sim.url,
      token: TOKEN,
      log,
      pacer: fast(),
      onFloodWait: (s) => void waits.push(s),
    });
    sim.flood(2, 1);
    await bot.sendMessage({ chat_id: 42, text: 'after the flood' });
    expect(waits).toEqual([1, 1]);
    expect(sim.messages('42').map((m) => m.text)).toEqual(['after the flood']);
    expect(sim.attempts().map((a) => a.status)).toEqual([429, 429, 200]);
  });

  it('gives up with TelegramRateLimitedError when the wait is longer than allowed, and names API errors', async () => {
    sim.reset();
    const bot = createTelegramBotClient({ baseUrl: sim.url, token: TOKEN, log, pacer: fast(), maxFloodWaitSeconds: 5 });
    sim.flood(1, 30);
    const err = await bot.sendMessage({ chat_id: 43, text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramRateLimitedError);
    expect((err as TelegramRateLimitedError).retryAfterSeconds).toBe(30);
    expect(sim.messages('43')).toEqual([]);

    // chat 43 is now held back 30 s (retry_after is honoured for later calls too): the rest go to chat 44
    const empty = await bot.sendMessage({ chat_id: 44, text: '' }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(TelegramApiError);
    expect(empty).toMatchObject({ errorCode: 400, permanent: true });
    const long = await bot.sendMessage({ chat_id: 44, text: 'x'.repeat(4097) }).catch((e: unknown) => e);
    expect((long as TelegramApiError).description).toBe('Bad Request: message is too long');

    const wrong = createTelegramBotClient({
      baseUrl: sim.url,
      token: '999:wrong-token-wrong-token-x',
      log,
      pacer: fast(),
    });
    const unauthorized = await wrong.sendMessage({ chat_id: 1, text: 'x' }).catch((e: unknown) => e);
    expect(unauthorized).toMatchObject({ errorCode: 401 });
    const down = createTelegramBotClient({ baseUrl: 'http://127.0.0.1:1', token: TOKEN, log, pacer: fast() });
    expect(await down.sendMessage({ chat_id: 1, text: 'x' }).catch((e: unknown) => e)).toBeInstanceOf(
      TelegramUnavailableError,
    );
    // the token never reaches a log line or an error
    for (const e of [err, empty, long, unauthorized]) expect(String((e as Error).message)).not.toContain('AAHdq');
    expect(lines.join('\n')).not.toContain('AAHdq');
    expect(lines.some((l) => l.includes('telegram flood control'))).toBe(true);
  });
});
