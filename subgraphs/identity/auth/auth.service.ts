import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, ErrorCode, unauthenticated } from '../../../platform/errors.js';
import type { Redis } from '../../../platform/redis.js';
import type { Viewer } from '../../../platform/auth/viewer.js';
import type { Logger } from '../../../platform/logger.js';
import { AdminCredential } from '../admin/admin-credential.entity.js';
import { createAdminAccount } from '../admin/admin.create.js';
import type { IssuedTokens, SessionService } from '../session/session.service.js';
import { User } from '../user/user.entity.js';
import type { UserService } from '../user/user.service.js';
import { dummyPasswordHash, verifyPassword } from './password.js';
import { InitDataError, type InitDataVerifier } from './telegram-init-data.js';

const MAX_FAILED_ATTEMPTS = 5;
const LOCK_MINUTES = 15;
/** How far in the future an auth_date may be (the verifier's default skew): a used proof is remembered that much longer. */
const FUTURE_SKEW_SECONDS = 60;
const WRONG_CREDENTIALS = 'Wrong email or password';

export interface AuthServiceOptions {
  /** Redis key prefix for remembered initData proofs. */
  keyPrefix: string;
  /** The initData freshness window: a proof is remembered this long (plus the future skew), then it has expired anyway. */
  initDataMaxAgeSeconds: number;
}

/** Sign-in (Telegram, staff email/password), refresh and sign-out. */
export class AuthService {
  constructor(
    private readonly initData: InitDataVerifier,
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly log: Logger,
    private readonly redis: Redis,
    private readonly options: AuthServiceOptions,
  ) {}

  /**
   * A valid initData signs in once: its proof (hash or signature) is remembered for the freshness window
   * (Redis SET NX), and a second use is refused with INIT_DATA_REUSED. The session carries USER only.
   */
  async signInWithTelegram(em: EntityManager, initData: string): Promise<IssuedTokens> {
    let validated;
    try {
      validated = this.initData.verify(initData);
    } catch (err) {
      if (err instanceof InitDataError) {
        this.log.info({ reason: err.reason }, 'telegram sign-in refused');
        throw unauthenticated(
          err.reason === 'expired' ? 'initData has expired; reopen the Mini App' : 'initData is not valid',
        );
      }
      throw err;
    }
    const key = `${this.options.keyPrefix}tg-init-data:${createHash('sha256').update(validated.proof).digest('hex')}`;
    const first = await this.redis.set(key, '1', 'EX', this.options.initDataMaxAgeSeconds + FUTURE_SKEW_SECONDS, 'NX');
    if (first !== 'OK') {
      this.log.warn(
        { telegramId: validated.user.id, via: validated.via },
        'telegram sign-in refused: initData used before',
      );
      throw new DomainError(
        ErrorCode.INIT_DATA_REUSED,
        'This initData was already used to sign in; reopen the Mini App',
      );
    }
    const user = await this.users.upsertFromTelegram(em, validated.user);
    return em.transactional((tx) => this.sessions.startFamily(tx, tx.merge(user), 'telegram'));
  }

  /**
   * Staff sign-in. Each attempt is counted before its password is checked, in one atomic statement, so N
   * parallel guesses count N: the first MAX_FAILED_ATTEMPTS since the last success get a password check,
   * the attempt that reaches the limit locks the account for LOCK_MINUTES, and every later one is refused
   * without a check until the lock ends. An unknown email and a locked account both verify against a dummy
   * hash and answer like a wrong password, so neither the timing nor the message tells which it was.
   */
  async signInAdmin(em: EntityManager, email: string, password: string): Promise<IssuedTokens> {
    const normalized = typeof email === 'string' ? email.trim().toLowerCase() : '';
    const [attempt] = await em
      .getConnection()
      .execute<{ user_id: string; password_hash: string; failed_attempts: number }[]>(
        `update "identity"."admin_credential" set
         "failed_attempts" = case when "locked_until" is not null and "locked_until" <= now() then 1 else "failed_attempts" + 1 end,
         "locked_until" = case
           when "locked_until" > now() then "locked_until"
           when (case when "locked_until" is not null then 1 else "failed_attempts" + 1 end) >= ? then now() + make_interval(mins => ?)
           else null end
       where "email" = ?
       returning "user_id", "password_hash", "failed_attempts"`,
        [MAX_FAILED_ATTEMPTS, LOCK_MINUTES, normalized],
      );
    const mayTry = attempt !== undefined && attempt.failed_attempts <= MAX_FAILED_ATTEMPTS;
    const matches = await verifyPassword(mayTry ? attempt.password_hash : await dummyPasswordHash(), password);
    if (!attempt || !mayTry || !matches) {
      if (attempt && mayTry && attempt.failed_attempts === MAX_FAILED_ATTEMPTS) {
        this.log.warn({ userId: attempt.user_id }, 'admin sign-in locked after repeated failures');
      } else if (attempt && !mayTry) {
        this.log.info({ userId: attempt.user_id }, 'admin sign-in refused: account locked');
      }
      throw unauthenticated(WRONG_CREDENTIALS);
    }
    return em.transactional(async (tx) => {
      await tx.nativeUpdate(AdminCredential, { userId: attempt.user_id }, { failedAttempts: 0, lockedUntil: null });
      const user = await tx.findOneOrFail(User, { id: attempt.user_id });
      user.lastSignInAt = new Date();
      return this.sessions.startFamily(tx, user, 'staff');
    });
  }

  refresh(em: EntityManager, refreshToken: string): Promise<IssuedTokens> {
    return this.sessions.refresh(em, refreshToken);
  }

  async signOut(em: EntityManager, viewer: Viewer): Promise<boolean> {
    if (!viewer.userId || !viewer.sessionId) throw unauthenticated();
    await this.sessions.revokeFamily(em, viewer.sessionId, 'signed out');
    return true;
  }

  /** Creates a staff account with email + password (the admin:create command uses this). */
  async createAdmin(
    em: EntityManager,
    input: { email: string; password: string; roles: User['roles']; username?: string },
  ): Promise<User> {
    return createAdminAccount(em, input);
  }
}
