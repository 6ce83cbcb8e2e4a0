import { z } from 'zod';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { storage } from '../storage.js';
import { telegramBotApi } from '../telegram-bot.js';
import { subgraphSections } from './subgraph.js';

/** Dev-only alert bot: the simulator accepts any well-formed token; refused in production. */
export const DEV_SUPPORT_ALERT_BOT_TOKEN = '1000000002:DEV-only-support-alert-bot-change-me';
/** Dev-only staff chat (a supergroup id, as Telegram gives them). */
export const DEV_SUPPORT_ALERT_CHAT_ID = '-1001000000001';

export interface SupportSettings {
  port: number;
  /** A RESOLVED ticket a user replies to within this many days opens again; later the reply is refused. */
  reopenDays: number;
  /** Minutes a ticket may wait for its first staff answer before it is an SLA breach (alert, metric). */
  firstResponseSlaMinutes: number;
  /** Hours from opening to resolution before the resolution SLA counts as missed (metric). */
  resolutionSlaHours: number;
  /** Seconds between two scans for first-response breaches. */
  slaScanSeconds: number;
  /** Staff alerts on Telegram, or null when off (no chat configured). */
  alerts: { botToken: string; chatId: string } | null;
}

const support = section(
  {
    SUPPORT_PORT: port.default(SERVICE_PORT_VARIABLES.support[1]),
    SUPPORT_REOPEN_DAYS: positiveInt.default(7),
    SUPPORT_FIRST_RESPONSE_SLA_MINUTES: positiveInt.default(60),
    SUPPORT_RESOLUTION_SLA_HOURS: positiveInt.default(48),
    SUPPORT_SLA_SCAN_SECONDS: positiveInt.default(30),
    SUPPORT_ALERT_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[\w-]{20,}$/, 'must be a bot token as BotFather gives it (<id>:<secret>)')
      .optional(),
    SUPPORT_ALERT_CHAT_ID: z
      .string()
      .regex(/^(-?\d{1,20}|@\w{5,32})$/, 'must be a chat id (e.g. -1001234567890) or @channelusername')
      .optional(),
  },
  (e, ctx): SupportSettings => {
    let alerts: SupportSettings['alerts'] = null;
    const chatId = e.SUPPORT_ALERT_CHAT_ID ?? (ctx.production ? undefined : DEV_SUPPORT_ALERT_CHAT_ID);
    if (ctx.production && e.SUPPORT_ALERT_BOT_TOKEN === DEV_SUPPORT_ALERT_BOT_TOKEN)
      ctx.problem('SUPPORT_ALERT_BOT_TOKEN', 'the dev-only token is refused in production');
    if (chatId) {
      let botToken = e.SUPPORT_ALERT_BOT_TOKEN;
      if (!botToken) {
        if (ctx.production) ctx.problem('SUPPORT_ALERT_BOT_TOKEN', 'required when SUPPORT_ALERT_CHAT_ID is set');
        else {
          ctx.usedDevDefault('SUPPORT_ALERT_BOT_TOKEN');
          botToken = DEV_SUPPORT_ALERT_BOT_TOKEN;
        }
      }
      if (botToken) alerts = { botToken, chatId };
    }
    return {
      port: e.SUPPORT_PORT,
      reopenDays: e.SUPPORT_REOPEN_DAYS,
      firstResponseSlaMinutes: e.SUPPORT_FIRST_RESPONSE_SLA_MINUTES,
      resolutionSlaHours: e.SUPPORT_RESOLUTION_SLA_HOURS,
      slaScanSeconds: e.SUPPORT_SLA_SCAN_SECONDS,
      alerts,
    };
  },
);

/** The support subgraph: tickets, messages, attachments (the private bucket), staff alerts on Telegram. */
export const supportProcess = defineProcess('support', { ...subgraphSections, support, storage, telegramBotApi });
export type SupportConfig = ConfigOf<typeof supportProcess>;
