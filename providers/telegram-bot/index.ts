export {
  createTelegramBotClient,
  type SendMessageParams,
  type SendOptions,
  type SentMessage,
  type TelegramBotClient,
  type TelegramBotClientOptions,
} from './telegram-bot.client.js';
export { ChatPacer, isGroup, type PacingOptions } from './pacer.js';
export {
  TelegramApiError,
  TelegramBlockedError,
  TelegramRateLimitedError,
  TelegramUnavailableError,
} from './telegram-bot.errors.js';
