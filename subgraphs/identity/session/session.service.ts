import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AccessTokens } from '../../../platform/auth/tokens.js';
import type { Redis } from '../../../platform/redis.js';
import { newId } from '../../../platform/ids.js';
import { unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { User } from '../user/user.entity.js';
import { Session, type SessionKind } from './session.entity.js';
import { revocationChannel, revokedFamilyKey, tokensInvalidBeforeKey } from '../../../platform/auth/revocation-keys.js';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  user: User;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Refresh tokens are `<session id>.<secret>`; only sha256(secret) is stored. Each refresh rotates to a new
 * session row in the same family. A rotated or revoked token presented again revokes the whole family and
 * tells the gateway (Redis) to refuse the family's access tokens at once.
 */
export class SessionService {
  constructor(
    private readonly accessTokens: AccessTokens,
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly refreshTtlDays: number,
    private readonly accessTtlSeconds: number,
    private readonly log: Logger,
  ) {}

  /**
   * Starts a new family for a signed-in user, inside the caller's transaction. A `telegram` family's access
   * tokens carry USER only, whatever roles the account holds: staff powers need the staff (password) session.
   */
  async startFamily(em: EntityManager, user: User, kind: SessionKind): Promise<IssuedTokens> {
    return this.issue(em, user, newId('sfm'), kind);
  }

  async refresh(em: EntityManager, refreshToken: string): Promise<IssuedTokens> {
    const [sessionId, secret] = typeof refreshToken === 'string' ? refreshToken.split('.') : [];
    if (!sessionId || !secret || !/^ses_[0-9a-z]{26}$/.test(sessionId)) throw unauthenticated('Invalid refresh token');
    const outcome = await em.transactional(async (tx) => {
      const session = await tx.findOne(Session, { id: sessionId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!session) return { kind: 'invalid' as const };
      const expected = Buffer.from(session.tokenHash, 'hex');
      const given = Buffer.from(hashSecret(secret), 'hex');
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { kind: 'invalid' as const };
      if (session.revokedAt) return { kind: 'revoked' as const };
      if (session.rotatedAt) {
        await this.revokeFamilyRows(tx, session.familyId, 'refresh token reuse');
        return { kind: 'reuse' as const, familyId: session.familyId, userId: session.userId };
      }
      if (session.expiresAt.getTime() <= Date.now()) return { kind: 'expired' as const };
      session.rotatedAt = new Date();
      const user = await tx.findOneOrFail(User, { id: session.userId });
      return { kind: 'ok' as const, tokens: await this.issue(tx, user, session.familyId, session.kind) };
    });
    switch (outcome.kind) {
      case 'ok':
        return outcome.tokens;
      case 'reuse':
        this.log.warn(
          { familyId: outcome.familyId, userId: outcome.userId },
          'refresh token reuse: session family revoked',
        );
        await this.markFamilyRevoked(outcome.familyId);
        throw unauthenticated('Refresh token already used; the session was revoked. Sign in again.');
      case 'revoked':
        throw unauthenticated('Session revoked. Sign in again.');
      case 'expired':
        throw unauthenticated('Refresh token expired. Sign in again.');
      default:
        throw unauthenticated('Invalid refresh token');
    }
  }

  /** Ends the viewer's current session family (sign out). */
  async revokeFamily(em: EntityManager, familyId: string, reason: string): Promise<void> {
    await em.transactional((tx) => this.revokeFamilyRows(tx, familyId, reason));
    await this.markFamilyRevoked(familyId);
  }

  /** Refuses every access token issued to a user before now (e.g. after a role was revoked). */
  async invalidateAccessTokens(userId: string): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    await this.redis.set(tokensInvalidBeforeKey(this.keyPrefix, userId), String(now), 'EX', this.accessTtlSeconds + 60);
    await this.redis.publish(revocationChannel(this.keyPrefix), JSON.stringify({ userId }));
  }

  private async issue(em: EntityManager, user: User, familyId: string, kind: SessionKind): Promise<IssuedTokens> {
    const secret = randomBytes(32).toString('base64url');
    const session = em.create(Session, {
      id: newId('ses'),
      familyId,
      userId: user.id,
      kind,
      tokenHash: hashSecret(secret),
      expiresAt: new Date(Date.now() + this.refreshTtlDays * 86_400_000),
    });
    await em.persistAndFlush(session);
    const staff = kind === 'staff';
    const access = await this.accessTokens.issue({
      userId: user.id,
      roles: staff ? user.roles : ['USER'],
      claims: staff ? user.claims : [],
      sessionId: familyId,
    });
    return { accessToken: access.token, refreshToken: `${session.id}.${secret}`, expiresAt: access.expiresAt, user };
  }

  private async revokeFamilyRows(em: EntityManager, familyId: string, reason: string): Promise<void> {
    await em.nativeUpdate(Session, { familyId, revokedAt: null }, { revokedAt: new Date(), revokeReason: reason });
  }

  private async markFamilyRevoked(familyId: string): Promise<void> {
    await this.redis.set(revokedFamilyKey(this.keyPrefix, familyId), '1', 'EX', this.accessTtlSeconds + 60);
    await this.redis.publish(revocationChannel(this.keyPrefix), JSON.stringify({ familyId }));
  }
}
