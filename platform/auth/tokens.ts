import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { VerifiedTokenCache } from './token-cache.js';
import { isRole, type Viewer } from './viewer.js';

const encoder = new TextEncoder();

export const INTERNAL_CONTEXT_HEADER = 'x-internal-context';
export const REQUEST_ID_HEADER = 'x-request-id';

export interface AccessTokenClaims {
  userId: string;
  roles: string[];
  claims: string[];
  sessionId: string;
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'Token expired' : 'Invalid token');
    this.name = 'InvalidTokenError';
  }
}

function toViewer(payload: Record<string, unknown>): Viewer {
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string').filter(isRole) : [];
  const claims = Array.isArray(payload.claims) ? payload.claims.filter((c): c is string => typeof c === 'string') : [];
  return {
    userId: typeof payload.sub === 'string' ? payload.sub : null,
    roles,
    claims,
    sessionId: typeof payload.sid === 'string' ? payload.sid : null,
  };
}

async function verify(token: string, key: Uint8Array, audience: string, issuer: string): Promise<Record<string, unknown>> {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], audience, issuer });
    return payload as Record<string, unknown>;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError('expired');
    throw new InvalidTokenError('invalid');
  }
}

/** Access tokens: issued by identity, verified by the gateway. Short-lived HS256 JWTs. */
export class AccessTokens {
  private readonly key: Uint8Array;
  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = encoder.encode(secret);
  }

  async issue(claims: AccessTokenClaims, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({ roles: claims.roles, claims: claims.claims, sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer('identity')
      .setAudience('gateway')
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  private readonly verified = new VerifiedTokenCache<Viewer & { expiresAt: Date; issuedAt: number }>();

  async verify(token: string): Promise<Viewer & { expiresAt: Date; issuedAt: number }> {
    const cached = this.verified.get(token);
    if (cached) return cached;
    const payload = await verify(token, this.key, 'gateway', 'identity');
    const viewer = toViewer(payload);
    if (!viewer.userId) throw new InvalidTokenError('invalid');
    const result = { ...viewer, expiresAt: new Date(Number(payload.exp) * 1000), issuedAt: Number(payload.iat) };
    this.verified.set(token, result, result.expiresAt.getTime());
    return result;
  }
}

/**
 * The signed context the gateway sends to every subgraph call: who the viewer is (id, roles, claims,
 * session). Subgraphs refuse requests without a valid one, so they cannot be reached around the gateway's
 * authentication and rules. The request id travels in its own header (X-Request-Id); the signed part is
 * the same for all of a viewer's requests, so the gateway reuses it for half its lifetime and subgraphs
 * verify each distinct token once.
 */
export class InternalTokens {
  private readonly key: Uint8Array;
  private readonly signed = new Map<string, { token: Promise<string>; reuseUntilMs: number }>();
  private readonly verified = new VerifiedTokenCache<Viewer>();

  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = encoder.encode(secret);
  }

  /** A token for this viewer, reused while more than half its lifetime is left. */
  sign(viewer: Viewer): Promise<string> {
    const cacheKey = `${viewer.userId}|${viewer.sessionId}|${viewer.roles.join(',')}|${viewer.claims.join(',')}`;
    const now = Date.now();
    const hit = this.signed.get(cacheKey);
    if (hit && hit.reuseUntilMs > now) return hit.token;
    const token = this.signFresh(viewer);
    if (this.signed.size >= 10_000) this.signed.clear();
    this.signed.set(cacheKey, { token, reuseUntilMs: now + (this.ttlSeconds * 1000) / 2 });
    token.catch(() => this.signed.delete(cacheKey));
    return token;
  }

  private signFresh(viewer: Viewer): Promise<string> {
    const jwt = new SignJWT({ roles: viewer.roles, claims: viewer.claims, sid: viewer.sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('gateway')
      .setAudience('subgraphs')
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`);
    if (viewer.userId) jwt.setSubject(viewer.userId);
    return jwt.sign(this.key);
  }

  async verify(token: string): Promise<Viewer> {
    const cached = this.verified.get(token);
    if (cached) return cached;
    const payload = await verify(token, this.key, 'subgraphs', 'gateway');
    const viewer = toViewer(payload);
    this.verified.set(token, viewer, Number(payload.exp) * 1000);
    return viewer;
  }
}
