import { z } from 'zod';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { database, nats } from '../pieces.js';
import { notifierBot } from '../secrets.js';
import { telegramBotApi } from '../telegram-bot.js';

/** Points where a test may have the notifier kill itself (crash-safety tests only). */
export const NOTIFIER_CRASH_POINTS = ['after-queue', 'after-send'] as const;

/** The Mini App in development (the gateway serves it under /app). */
export const DEV_MINI_APP_URL = 'http://127.0.0.1:4000/app';

/**
 * The notifier: events → Telegram messages to users. Its own schema (`notifier`), its durable consumers, the bot
 * token (TELEGRAM_BOT_TOKEN, the Mini App's bot) and where the Bot API is (TELEGRAM_API_URL or the simulator).
 */
const notifier = section(
  {
    NOTIFIER_PORT: port.default(4186),
    /** The Mini App's address; buttons open it at a screen (`<url>/#/history`). Telegram wants https in production. */
    MINI_APP_URL: z.string().url().optional(),
    /** Messages sent at once (each waits for its chat's pacing slot). */
    NOTIFIER_SEND_LANES: positiveInt.max(256).default(16),
    /** Messages per second over all chats (Telegram's broadcast limit is about 30). */
    NOTIFIER_MESSAGES_PER_SECOND: positiveInt.max(10_000).default(30),
    /** Gap between two messages to one private chat, ms (Telegram: about one per second). */
    NOTIFIER_CHAT_GAP_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    /** How long a message waits for its user's identity event before it is given up. */
    NOTIFIER_RECIPIENT_WAIT_SECONDS: positiveInt.default(600),
    NOTIFIER_POLL_MS: positiveInt.max(60_000).default(500),
    /** Test only (refused unless NODE_ENV=test): SIGKILL itself at this point, once. */
    NOTIFIER_CRASH_AT: z.enum(NOTIFIER_CRASH_POINTS).optional(),
  },
  (e, ctx) => {
    if (e.NOTIFIER_CRASH_AT && ctx.env !== 'test')
      ctx.problem('NOTIFIER_CRASH_AT', 'a crash point is a test hook: only with NODE_ENV=test');
    if (!e.MINI_APP_URL && ctx.production) ctx.problem('MINI_APP_URL', 'required in production');
    if (e.MINI_APP_URL && ctx.production && !e.MINI_APP_URL.startsWith('https://'))
      ctx.problem('MINI_APP_URL', 'Telegram opens only https Mini Apps');
    return {
      port: e.NOTIFIER_PORT,
      miniAppUrl: e.MINI_APP_URL ?? DEV_MINI_APP_URL,
      lanes: e.NOTIFIER_SEND_LANES,
      messagesPerSecond: e.NOTIFIER_MESSAGES_PER_SECOND,
      chatGapMs: e.NOTIFIER_CHAT_GAP_MS,
      recipientWaitSeconds: e.NOTIFIER_RECIPIENT_WAIT_SECONDS,
      pollMs: e.NOTIFIER_POLL_MS,
      crashAt: e.NOTIFIER_CRASH_AT ?? null,
    };
  },
);

export const notifierProcess = defineProcess('notifier', {
  database,
  nats,
  notifierBot,
  telegramBotApi,
  notifier,
});
export type NotifierConfig = ConfigOf<typeof notifierProcess>;
