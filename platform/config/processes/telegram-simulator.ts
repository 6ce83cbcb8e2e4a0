import { defineProcess, type ConfigOf } from '../env.js';
import { telegramBotApi } from '../telegram-bot.js';

/** Devnet only: the Telegram Bot API simulator (devnet/telegram) on TELEGRAM_SIMULATOR_PORT. */
export const telegramSimulatorProcess = defineProcess('telegram-simulator', { telegramBotApi });
export type TelegramSimulatorConfig = ConfigOf<typeof telegramSimulatorProcess>;
