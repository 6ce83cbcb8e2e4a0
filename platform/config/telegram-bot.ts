import { z } from 'zod';
import { bool, port, section } from './env.js';

/**
 * Where bots send through the Telegram Bot API (providers/telegram-bot): the real `https://api.telegram.org`, or,
 * outside production (TELEGRAM_SIMULATOR, default on), the devnet simulator on TELEGRAM_SIMULATOR_PORT, which
 * speaks the same wire format. Production refuses the simulator. Bot tokens are per use (e.g. SUPPORT_ALERT_BOT_TOKEN).
 */
export interface TelegramBotApiConfig {
  /** Base URL without the `/bot<token>/<method>` part. */
  baseUrl: string;
  /** The devnet simulator's port when it is on, else null. */
  simulatorPort: number | null;
}

/** The documented production endpoint (core.telegram.org/bots/api#making-requests). */
export const TELEGRAM_BOT_API_URL = 'https://api.telegram.org';

export const telegramBotApi = section(
  {
    TELEGRAM_SIMULATOR: bool.optional(),
    TELEGRAM_SIMULATOR_PORT: port.default(4287),
    TELEGRAM_API_URL: z.string().url().optional(),
  },
  (e, ctx): TelegramBotApiConfig => {
    const simulator = e.TELEGRAM_SIMULATOR ?? !ctx.production;
    if (simulator && ctx.production)
      ctx.problem('TELEGRAM_SIMULATOR', 'the Telegram Bot API simulator is refused in production');
    return {
      baseUrl:
        e.TELEGRAM_API_URL ?? (simulator ? `http://${ctx.host}:${e.TELEGRAM_SIMULATOR_PORT}` : TELEGRAM_BOT_API_URL),
      simulatorPort: simulator ? e.TELEGRAM_SIMULATOR_PORT : null,
    };
  },
);
