import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessTokens, InternalTokenSigner, InternalTokenVerifier, InvalidTokenError } from './tokens.js';
import { VerifiedTokenCache } from './token-cache.js';

const viewer = { userId: 'usr_1', roles: ['USER' as const], claims: [], sessionId: 'sfm_1' };
const gatewayKeys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');

/** A token as the gateway would sign it, with any lifetime, algorithm or key (to test what verifiers refuse). */
function handMade(
  options: {
    audience?: string;
    lifetime?: number;
    iat?: number;
    key?: Parameters<SignJWT['sign']>[0];
    alg?: string;
  } = {},
): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: ['SUPERADMIN'], claims: [], sid: null })
    .setProtectedHeader({ alg: options.alg ?? 'EdDSA' })
    .setSubject('usr_x')
    .setIssuer('gateway')
    .setAudience(options.audience ?? 'ledger')
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.lifetime ?? 30))
    .sign(options.key ?? gatewayKeys.privateKey);
}

describe('internal tokens (EdDSA, audience per subgraph, at most 30 s)', () => {
  const signer = new InternalTokenSigner(gatewayKeys.privateKey, 30);
  const ledger = new InternalTokenVerifier(gatewayKeys.publicKey, 'ledger');
  const market = new InternalTokenVerifier(gatewayKeys.publicKey, 'market');

  it('one signature per viewer and audience, reused; verified by that subgraph with the public key', async () => {
    const a = await signer.sign(viewer, 'ledger');
    expect(await signer.sign(viewer, 'ledger')).toBe(a);
    expect(await signer.sign(viewer, 'market')).not.toBe(a);
    expect(await signer.sign({ ...viewer, roles: ['USER', 'ADMIN'] as never }, 'ledger')).not.toBe(a);
    expect(JSON.parse(Buffer.from(a.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(await ledger.verify(a)).toEqual(viewer);
  });

  it('a token minted for market is refused by ledger', async () => {
    const forMarket = await signer.sign(viewer, 'market');
    expect(await market.verify(forMarket)).toEqual(viewer);
    await expect(ledger.verify(forMarket)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a token signed with another key, or with an HMAC shared secret', async () => {
    await expect(ledger.verify(await handMade({ key: otherKeys.privateKey }))).rejects.toBeInstanceOf(
      InvalidTokenError,
    );
    await expect(
      ledger.verify(await new InternalTokenSigner(otherKeys.privateKey, 30).sign(viewer, 'ledger')),
    ).rejects.toBeInstanceOf(InvalidTokenError);
    const hmac = await handMade({
      alg: 'HS256',
      key: new TextEncoder().encode('a-shared-secret-that-is-long-enough-0000'),
    });
    await expect(ledger.verify(hmac)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(await ledger.verify(await handMade())).toMatchObject({ userId: 'usr_x', roles: ['SUPERADMIN'] });
  });

  it('refuses a lifetime over 30 s even while young, an expired token and one issued too long ago', async () => {
    await expect(ledger.verify(await handMade({ lifetime: 31 }))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(ledger.verify(await handMade({ lifetime: 3600 }))).rejects.toBeInstanceOf(InvalidTokenError);
    const now = Math.floor(Date.now() / 1000);
    await expect(ledger.verify(await handMade({ iat: now - 120, lifetime: 30 }))).rejects.toMatchObject({
      reason: 'expired',
    });
    expect(() => new InternalTokenSigner(gatewayKeys.privateKey, 31)).toThrow(/1-30 s/);
  });

  it('a signer needs the private key, a verifier the public key, both Ed25519', () => {
    expect(() => new InternalTokenSigner(gatewayKeys.publicKey, 30)).toThrow(/private key/);
    expect(() => new InternalTokenVerifier(gatewayKeys.privateKey, 'ledger')).toThrow(/public key/);
    expect(() => new InternalTokenSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 30)).toThrow(
      /Ed25519/,
    );
  });
});

describe('access tokens', () => {
  it('do not verify as internal tokens and the other way round', async () => {
    const secret = 'x'.repeat(40);
    const access = await new AccessTokens(secret, 60).issue({
      userId: 'usr_1',
      roles: ['USER'],
      claims: [],
      sessionId: 'sfm_1',
    });
    await expect(
      new InternalTokenVerifier(gatewayKeys.publicKey, 'identity').verify(access.token),
    ).rejects.toBeInstanceOf(InvalidTokenError);
    const internal = await new InternalTokenSigner(gatewayKeys.privateKey, 30).sign(viewer, 'identity');
    await expect(new AccessTokens(secret, 60).verify(internal)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('verified-token cache', () => {
  it('forgets entries before they expire and stays bounded', () => {
    const cache = new VerifiedTokenCache<number>(2, 1000);
    cache.set('a', 1, 10_000);
    expect(cache.get('a', 8_999)).toBe(1);
    expect(cache.get('a', 9_000)).toBeUndefined();
    cache.set('b', 2, 50_000);
    cache.set('c', 3, 50_000);
    cache.set('d', 4, 50_000);
    expect([cache.get('b', 0), cache.get('c', 0), cache.get('d', 0)]).toEqual([undefined, 3, 4]);
  });
});
