import { z } from 'zod';
import { defineProcess, port, section, type ConfigOf } from '../env.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { botServiceCredential, telegramBotToken } from '../secrets.js';
import { telegramBotApi } from '../telegram-bot.js';

/** Telegram's rule for setWebhook's secret_token: 1-256 of A-Z, a-z, 0-9, _ and - (core.telegram.org/bots/api#setwebhook). */
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{1,256}$/;
const DEV_WEBHOOK_SECRET = 'dev-only-webhook-secret';

export interface BotSettings {
  /** polling: getUpdates long polling (development); webhook: Telegram POSTs updates to BOT_PORT. */
  mode: 'polling' | 'webhook';
  /** The webhook (POST /telegram/webhook), /health and /metrics listen here. */
  port: number;
  /** What Telegram must send in X-Telegram-Bot-Api-Secret-Token; required in webhook mode in production. */
  webhookSecret: string;
  /** When set, the bot registers this public URL with setWebhook at start (webhook mode). */
  webhookUrl: string | null;
  /** The gateway's GraphQL endpoint. */
  gatewayUrl: string;
  /** Where the /start button opens the Mini App. */
  miniAppUrl: string;
  /** Per gateway call. */
  gatewayTimeoutMs: number;
}

const bot = section(
  {
    BOT_MODE: z.enum(['polling', 'webhook']).default('polling'),
    BOT_PORT: port.default(4187),
    TELEGRAM_WEBHOOK_SECRET: z.string().regex(WEBHOOK_SECRET, '1-256 characters of A-Z a-z 0-9 _ -').optional(),
    BOT_WEBHOOK_URL: z.string().url().optional(),
    GATEWAY_URL: z.string().url().optional(),
    MINI_APP_URL: z.string().url().optional(),
    BOT_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** The local gateway's port: the development default of GATEWAY_URL and MINI_APP_URL follows it. */
    GATEWAY_PORT: port.default(SERVICE_PORT_VARIABLES.gateway[1]),
  },
  (e, ctx): BotSettings => {
    const gatewayBase = `http://${ctx.host}:${e.GATEWAY_PORT}`;
    if (ctx.production && !e.TELEGRAM_WEBHOOK_SECRET && e.BOT_MODE === 'webhook')
      ctx.problem('TELEGRAM_WEBHOOK_SECRET', 'required for webhook mode in production');
    if (ctx.production && e.TELEGRAM_WEBHOOK_SECRET === DEV_WEBHOOK_SECRET)
      ctx.problem('TELEGRAM_WEBHOOK_SECRET', 'the dev-only secret is refused in production');
    if (!e.TELEGRAM_WEBHOOK_SECRET && !ctx.production) ctx.usedDevDefault('TELEGRAM_WEBHOOK_SECRET');
    if (ctx.production && !e.GATEWAY_URL) ctx.problem('GATEWAY_URL', 'required in production');
    if (ctx.production && !e.MINI_APP_URL) ctx.problem('MINI_APP_URL', 'required in production');
    return {
      mode: e.BOT_MODE,
      port: e.BOT_PORT,
      webhookSecret: e.TELEGRAM_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
      webhookUrl: e.BOT_WEBHOOK_URL ?? null,
      gatewayUrl: e.GATEWAY_URL ?? `${gatewayBase}/graphql`,
      miniAppUrl: e.MINI_APP_URL ?? `${gatewayBase}/app`,
      gatewayTimeoutMs: e.BOT_GATEWAY_TIMEOUT_MS,
    };
  },
);

/**
 * The Telegram bot (clients/bot): a plain GraphQL client of the gateway. Holds its bot token, its webhook secret
 * and its service credential (the only one identity accepts for signInAsTelegramUser); no database, no NATS.
 */
export const botProcess = defineProcess('bot', {
  bot,
  telegramBot: telegramBotToken,
  telegramBotApi,
  serviceCredential: botServiceCredential,
});
export type BotConfig = ConfigOf<typeof botProcess>;
