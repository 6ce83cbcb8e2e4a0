export {
  createTelegramBotClient,
  type SendMessageParams,
  type SentMessage,
  type TelegramBotClient,
  type TelegramBotClientOptions,
} from './telegram-bot.client.js';
export { ChatPacer, isGroup, type PacingOptions } from './pacer.js';
export { TelegramApiError, TelegramRateLimitedError, TelegramUnavailableError } from './telegram-bot.errors.js';
