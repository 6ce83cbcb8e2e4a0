import { describe, expect, it } from 'vitest';
import { AccessTokens, InternalTokens, InvalidTokenError } from './tokens.js';
import { VerifiedTokenCache } from './token-cache.js';

const viewer = { userId: 'usr_1', roles: ['USER' as const], claims: [], sessionId: 'sfm_1' };

describe('tokens', () => {
  it('internal tokens: one signature reused per viewer, verified once, refused under another secret', async () => {
    const tokens = new InternalTokens('s'.repeat(40), 60);
    const a = await tokens.sign(viewer);
    expect(await tokens.sign(viewer)).toBe(a);
    expect(await tokens.sign({ ...viewer, roles: ['USER', 'ADMIN'] as never })).not.toBe(a);
    expect(await tokens.verify(a)).toEqual(viewer);
    await expect(new InternalTokens('t'.repeat(40), 60).verify(a)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('access tokens do not verify as internal tokens and the other way round', async () => {
    const secret = 'x'.repeat(40);
    const access = await new AccessTokens(secret, 60).issue({ userId: 'usr_1', roles: ['USER'], claims: [], sessionId: 'sfm_1' });
    await expect(new InternalTokens(secret, 60).verify(access.token)).rejects.toBeInstanceOf(InvalidTokenError);
    const internal = await new InternalTokens(secret, 60).sign(viewer);
    await expect(new AccessTokens(secret, 60).verify(internal)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('the verified-token cache forgets entries before they expire and stays bounded', () => {
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
