import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, unauthenticated } from '../../../platform/errors.js';
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

/** Sign-in (Telegram, staff email/password), refresh and sign-out. */
export class AuthService {
  constructor(
    private readonly initData: InitDataVerifier,
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly log: Logger,
  ) {}

  async signInWithTelegram(em: EntityManager, initData: string): Promise<IssuedTokens> {
    let telegramUser;
    try {
      telegramUser = this.initData.verify(initData).user;
    } catch (err) {
      if (err instanceof InitDataError) {
        this.log.info({ reason: err.reason }, 'telegram sign-in refused');
        throw unauthenticated(err.reason === 'expired' ? 'initData has expired; reopen the Mini App' : 'initData is not valid');
      }
      throw err;
    }
    const user = await this.users.upsertFromTelegram(em, telegramUser);
    return em.transactional((tx) => this.sessions.startFamily(tx, tx.merge(user)));
  }

  async signInAdmin(em: EntityManager, email: string, password: string): Promise<IssuedTokens> {
    const normalized = email.trim().toLowerCase();
    const credential = await em.findOne(AdminCredential, { email: normalized });
    if (!credential) {
      await verifyPassword(await dummyPasswordHash(), password);
      throw unauthenticated('Wrong email or password');
    }
    if (credential.lockedUntil && credential.lockedUntil.getTime() > Date.now()) {
      throw unauthenticated('Too many failed attempts; try again later');
    }
    if (!(await verifyPassword(credential.passwordHash, password))) {
      credential.failedAttempts += 1;
      if (credential.failedAttempts >= MAX_FAILED_ATTEMPTS) {
        credential.lockedUntil = new Date(Date.now() + LOCK_MINUTES * 60_000);
        credential.failedAttempts = 0;
        this.log.warn({ userId: credential.userId }, 'admin sign-in locked after repeated failures');
      }
      await em.flush();
      throw unauthenticated('Wrong email or password');
    }
    credential.failedAttempts = 0;
    credential.lockedUntil = null;
    return em.transactional(async (tx) => {
      const user = await tx.findOneOrFail(User, { id: credential.userId });
      user.lastSignInAt = new Date();
      tx.persist(tx.merge(credential));
      return this.sessions.startFamily(tx, user);
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
  async createAdmin(em: EntityManager, input: { email: string; password: string; roles: User['roles']; username?: string }): Promise<User> {
    return createAdminAccount(em, input);
  }
}
