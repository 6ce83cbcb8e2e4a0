import { AccessTokens, InvalidTokenError } from '../../platform/auth/tokens.js';
import { ANONYMOUS, type Viewer } from '../../platform/auth/viewer.js';
import { DomainError, ErrorCode, unauthenticated } from '../../platform/errors.js';
import { revokedFamilyKey, tokensInvalidBeforeKey } from '../../platform/auth/revocation-keys.js';
import type { RateLimitDecision, RateLimiter } from '../limits/rate-limit.js';

function throwIfLimited(decision: RateLimitDecision): void {
  if (!decision.allowed) {
    throw new DomainError(ErrorCode.RATE_LIMITED, `Too many requests; retry in ${decision.retryAfterSeconds}s`, {
      retryAfterSeconds: decision.retryAfterSeconds,
      scope: decision.scope,
    });
  }
}

export interface AuthenticatedViewer {
  viewer: Viewer;
  expiresAt: Date | null;
}

/**
 * Turns an `Authorization` value into a viewer: verifies the JWT, then in one Redis round trip applies the
 * rate limit (per viewer when signed in, per `ip` when anonymous or the token is bad) and checks whether
 * the token's session was signed out or its roles were reduced since.
 */
export class Authenticator {
  constructor(
    private readonly accessTokens: AccessTokens,
    private readonly limiter: RateLimiter,
    private readonly keyPrefix: string,
  ) {}

  async authenticate(authorization: string | undefined | null, ip: string): Promise<AuthenticatedViewer> {
    let verified: Awaited<ReturnType<AccessTokens['verify']>> | null = null;
    if (authorization) {
      const match = /^Bearer ([A-Za-z0-9._-]+)$/.exec(authorization.trim());
      if (!match) throw unauthenticated('Authorization must be "Bearer <access token>"');
      try {
        verified = await this.accessTokens.verify(match[1]!);
      } catch (err) {
        if (!(err instanceof InvalidTokenError)) throw err;
        // a bad token is anonymous traffic: it spends the address's allowance, so guessing is limited too
        throwIfLimited((await this.limiter.check(ip, null)).decision);
        throw unauthenticated(err.reason === 'expired' ? 'Access token expired: refresh it' : 'Invalid access token');
      }
    }
    const checks = verified
      ? [
          revokedFamilyKey(this.keyPrefix, verified.sessionId ?? '-'),
          tokensInvalidBeforeKey(this.keyPrefix, verified.userId!),
        ]
      : [];
    const { decision, values } = await this.limiter.check(ip, verified?.userId ?? null, checks);
    throwIfLimited(decision);
    if (!verified) return { viewer: ANONYMOUS, expiresAt: null };
    if (values[0]) throw unauthenticated('Session ended: sign in again');
    if (values[1] && verified.issuedAt <= Number(values[1]))
      throw unauthenticated('Access changed: refresh your session');
    const { expiresAt, issuedAt: _iat, ...viewer } = verified;
    return { viewer, expiresAt };
  }
}
