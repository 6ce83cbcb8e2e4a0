import { BotSignInAsTelegramUserDocument, type Language } from '../sdk/index.js';
import type { GatewayClient } from './gateway-client.js';

export interface TelegramSender {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface UserSession {
  accessToken: string;
  userId: string;
  language: Language;
}

/** A token is reused until this close to its expiry. */
const RENEW_BEFORE_MS = 30_000;
const MAX_CACHED = 10_000;

/**
 * Bot-scoped user tokens: for the Telegram user of an update, signInAsTelegramUser with the bot's service
 * credential, kept in memory until shortly before it expires (they are never refreshed, only re-issued).
 */
export class UserTokens {
  private readonly cache = new Map<number, UserSession & { expiresAtMs: number }>();

  constructor(
    private readonly gateway: GatewayClient,
    private readonly credential: string,
  ) {}

  async forUser(from: TelegramSender): Promise<UserSession> {
    const hit = this.cache.get(from.id);
    if (hit && hit.expiresAtMs - RENEW_BEFORE_MS > Date.now()) return hit;
    const { signInAsTelegramUser: s } = await this.gateway.request(
      BotSignInAsTelegramUserDocument,
      {
        credential: this.credential,
        telegramUser: {
          id: String(from.id),
          firstName: from.first_name ?? null,
          lastName: from.last_name ?? null,
          username: from.username ?? null,
          languageCode: from.language_code ?? null,
        },
      },
      null,
    );
    const session = {
      accessToken: s.accessToken,
      userId: s.user.id,
      language: s.user.settings.language,
      expiresAtMs: Date.parse(s.expiresAt),
    };
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(from.id, session);
    return session;
  }

  /** Drops a user's token (the gateway refused it: revoked, or the user's access changed). */
  forget(telegramId: number): void {
    this.cache.delete(telegramId);
  }
}
