import { timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccessTokens } from '../../../platform/auth/tokens.js';
import { BOT_SCOPE, type Viewer } from '../../../platform/auth/viewer.js';
import { serviceCredentialHash, type BotDelegationConfig } from '../../../platform/config/secrets.js';
import { badInput, forbidden } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { TelegramUser } from '../auth/telegram-init-data.js';
import type { User } from '../user/user.entity.js';
import type { UserService } from '../user/user.service.js';

export interface DelegatedToken {
  accessToken: string;
  expiresAt: Date;
  user: User;
}

/**
 * One session id for every bot-scoped token: marking it revoked (the gateway's revocation check) cuts the bot
 * off from every user at once, e.g. after its credential leaked.
 */
export const BOT_DELEGATION_SESSION = 'dlg_telegram-bot';

/** Telegram user ids are positive integers below 2^52 (core.telegram.org/bots/api#user). */
const TELEGRAM_ID = /^[1-9]\d{0,15}$/;
const NAME_MAX = 256;

/**
 * The Telegram bot acts for the Telegram user of each update. It proves itself with its service credential (only
 * the sha256 is configured here); the trust in "this update came from this Telegram user" is the bot's (its webhook
 * secret, or its own getUpdates), exactly as Telegram vouches for initData. The token it gets carries USER and the
 * bot scope: the gateway lets it select only the fields the bot's commands need, it is never refreshable, and it
 * lives BOT_TOKEN_TTL_SECONDS (5 minutes by default).
 */
export class DelegationService {
  constructor(
    private readonly config: BotDelegationConfig | null,
    private readonly users: UserService,
    private readonly accessTokens: AccessTokens,
    private readonly log: Logger,
  ) {}

  async signInAsTelegramUser(
    em: EntityManager,
    viewer: Viewer,
    credential: string,
    telegramUser: {
      id: string;
      firstName?: string | null;
      lastName?: string | null;
      username?: string | null;
      languageCode?: string | null;
    },
  ): Promise<DelegatedToken> {
    // A signed-in user (or a bot-scoped token) has no business here; the gateway refuses them first.
    if (viewer.userId) throw forbidden('Delegation is for the bot’s service credential only');
    if (!this.config || !this.credentialMatches(credential)) {
      this.log.warn({ configured: this.config !== null }, 'bot delegation refused: wrong service credential');
      throw forbidden('Delegation is for the bot’s service credential only');
    }
    if (!TELEGRAM_ID.test(telegramUser.id)) throw badInput('telegramUser.id must be a Telegram user id');
    const tg: TelegramUser = { id: Number(telegramUser.id) };
    const text = (v: string | null | undefined) => (v ? v.slice(0, NAME_MAX) : undefined);
    if (text(telegramUser.firstName)) tg.first_name = text(telegramUser.firstName);
    if (text(telegramUser.lastName)) tg.last_name = text(telegramUser.lastName);
    if (text(telegramUser.username)) tg.username = text(telegramUser.username);
    if (text(telegramUser.languageCode)) tg.language_code = text(telegramUser.languageCode);
    const user = await this.users.upsertFromTelegram(em, tg);
    const issued = await this.accessTokens.issue(
      { userId: user.id, roles: ['USER'], claims: [BOT_SCOPE], sessionId: BOT_DELEGATION_SESSION },
      new Date(),
      this.config.tokenTtlSeconds,
    );
    return { accessToken: issued.token, expiresAt: issued.expiresAt, user };
  }

  private credentialMatches(credential: string): boolean {
    const expected = Buffer.from(this.config!.credentialSha256, 'hex');
    const given = Buffer.from(serviceCredentialHash(typeof credential === 'string' ? credential : ''), 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
