import type { KeyObject } from 'node:crypto';
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
  const roles = Array.isArray(payload.roles)
    ? payload.roles.filter((r): r is string => typeof r === 'string').filter(isRole)
    : [];
  const claims = Array.isArray(payload.claims) ? payload.claims.filter((c): c is string => typeof c === 'string') : [];
  return {
    userId: typeof payload.sub === 'string' ? payload.sub : null,
    roles,
    claims,
    sessionId: typeof payload.sid === 'string' ? payload.sid : null,
  };
}

async function verify(
  token: string,
  key: Uint8Array,
  audience: string,
  issuer: string,
): Promise<Record<string, unknown>> {
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
  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = encoder.encode(secret);
  }

  /** `ttlSeconds` shortens the configured lifetime (delegated tokens); it never lengthens it. */
  async issue(
    claims: AccessTokenClaims,
    now = new Date(),
    ttlSeconds = this.ttlSeconds,
  ): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + Math.min(ttlSeconds, this.ttlSeconds);
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

/** The longest an internal token may live (the verifier refuses anything minted for longer). */
export const INTERNAL_TOKEN_MAX_TTL_SECONDS = 30;
const INTERNAL_ISSUER = 'gateway';
/** Allowed clock difference between the gateway's and a subgraph's machine. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * The signed context the gateway sends to every subgraph call: who the viewer is (id, roles, claims,
 * session), as an EdDSA (Ed25519) JWT whose audience is the one subgraph it is for, living at most
 * INTERNAL_TOKEN_MAX_TTL_SECONDS. Only the gateway holds the private key; subgraphs hold the public key, so
 * a subgraph (or anyone who reads its configuration) can verify but never mint one, and a token sent to
 * one subgraph is refused by every other. The request id travels in its own header (X-Request-Id).
 *
 * The signed part is the same for all of a viewer's requests to one subgraph, so the signer reuses a token
 * while more than half its lifetime is left (one signature per viewer and audience per half-lifetime), and
 * a verifier checks each distinct token once.
 */
export class InternalTokenSigner {
  private readonly signed = new Map<string, { token: Promise<string>; reuseUntilMs: number }>();

  constructor(
    private readonly privateKey: KeyObject,
    private readonly ttlSeconds: number,
  ) {
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error('internal tokens are signed with an Ed25519 private key');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > INTERNAL_TOKEN_MAX_TTL_SECONDS) {
      throw new Error(`internal token lifetime must be 1-${INTERNAL_TOKEN_MAX_TTL_SECONDS} s, not ${ttlSeconds}`);
    }
  }

  /** A token for this viewer, meant for `audience` (a subgraph name), reused while more than half its lifetime is left. */
  sign(viewer: Viewer, audience: string): Promise<string> {
    const cacheKey = `${audience}|${viewer.userId}|${viewer.sessionId}|${viewer.roles.join(',')}|${viewer.claims.join(',')}`;
    const now = Date.now();
    const hit = this.signed.get(cacheKey);
    if (hit && hit.reuseUntilMs > now) return hit.token;
    const token = this.signFresh(viewer, audience, now);
    if (this.signed.size >= 10_000) this.signed.clear();
    this.signed.set(cacheKey, { token, reuseUntilMs: now + (this.ttlSeconds * 1000) / 2 });
    token.catch(() => this.signed.delete(cacheKey));
    return token;
  }

  private signFresh(viewer: Viewer, audience: string, nowMs: number): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    const jwt = new SignJWT({ roles: viewer.roles, claims: viewer.claims, sid: viewer.sessionId })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds);
    if (viewer.userId) jwt.setSubject(viewer.userId);
    return jwt.sign(this.privateKey);
  }
}

/** A subgraph's side: accepts only tokens the gateway signed for this subgraph, living at most 30 s. */
export class InternalTokenVerifier {
  private readonly verified = new VerifiedTokenCache<Viewer>();

  constructor(
    private readonly publicKey: KeyObject,
    /** This subgraph's name: tokens minted for another audience are refused. */
    private readonly audience: string,
  ) {
    if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519')
      throw new Error('internal tokens are verified with an Ed25519 public key');
  }

  async verify(token: string): Promise<Viewer> {
    const cached = this.verified.get(token);
    if (cached) return cached;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ['EdDSA'],
        audience: this.audience,
        issuer: INTERNAL_ISSUER,
        requiredClaims: ['iat', 'exp'],
        maxTokenAge: INTERNAL_TOKEN_MAX_TTL_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError('expired');
      throw new InvalidTokenError('invalid');
    }
    // A token minted to live longer than the limit is refused even while it is young.
    if (Number(payload.exp) - Number(payload.iat) > INTERNAL_TOKEN_MAX_TTL_SECONDS)
      throw new InvalidTokenError('invalid');
    const viewer = toViewer(payload);
    this.verified.set(token, viewer, Number(payload.exp) * 1000);
    return viewer;
  }
}
