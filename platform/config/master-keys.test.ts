import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, DEV_SECRETS, walletCommandsProcess, walletProcess } from './config.js';
import { parseMasterKeys } from './master-keys.js';

const k = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const loadConfig = (env: Record<string, string>) => walletProcess.load(env);
const publicKeyPem = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();

describe('WALLET_MASTER_KEYS', () => {
  it('parses id:base64 pairs; the current key defaults to the last, or WALLET_MASTER_KEY_ID', () => {
    const set = parseMasterKeys(`old:${k(1)}, new:${k(2)}`, undefined);
    expect(set.ids).toEqual(['old', 'new']);
    expect(set.currentId).toBe('new');
    expect(parseMasterKeys(`old:${k(1)},new:${k(2)}`, 'old').currentId).toBe('old');
    expect(Buffer.from(set.entries()[0]!.key)).toEqual(Buffer.alloc(32, 1));
  });

  it('prints, logs and serialises as ids only', () => {
    const set = parseMasterKeys(`k1:${k(9)}`, undefined);
    for (const shown of [
      JSON.stringify(set),
      inspect(set),
      inspect({ nested: set }, { depth: 5 }),
      String(JSON.stringify({ wallet: { masterKeys: set } })),
    ]) {
      expect(shown).toContain('k1');
      expect(shown).not.toContain(k(9));
      expect(shown).not.toContain(Buffer.alloc(32, 9).toString('hex'));
    }
  });

  it('hands out copies: zeroing them does not change the set', () => {
    const set = parseMasterKeys(`k1:${k(3)}`, undefined);
    set.entries()[0]!.key.fill(0);
    expect(set.containsKey(Buffer.alloc(32, 3))).toBe(true);
  });

  it.each([
    ['', /no keys/],
    ['k1', /expected <id>:<base64 key>/],
    [`:${k(1)}`, /expected <id>:<base64 key>/],
    ['k1:c2hvcnQ=', /exactly 32 bytes/],
    [`k1:${k(1)}x`, /exactly 32 bytes/],
    [`k1:${k(0)}`, /all zeros/],
    [`k1:${k(1)},k1:${k(2)}`, /given twice/],
    [`a:${k(1)},b:${k(1)}`, /same key/],
  ])('refuses %j without echoing key material', (text, message) => {
    let error: unknown;
    try {
      parseMasterKeys(text, undefined);
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(k(1));
  });

  it('refuses a current id that is not configured', () => {
    expect(() => parseMasterKeys(`k1:${k(1)}`, 'k2')).toThrow(
      /WALLET_MASTER_KEY_ID "k2" is not one of the configured ids \(k1\)/,
    );
  });

  it('config: dev default outside production (named in devDefaultsUsed), refused in production', () => {
    expect(loadConfig({}).wallet.masterKeys.ids).toEqual(['dev-only']);
    expect(loadConfig({}).devDefaultsUsed).toContain('WALLET_MASTER_KEYS');
    const prod = {
      NODE_ENV: 'production',
      INTERNAL_TOKEN_PUBLIC_KEY: publicKeyPem,
      WALLET_DATA_KEYS: `d1:${k(9)}`,
      KAVENEGAR_API_KEY: 'live-key',
      KAVENEGAR_OTP_TEMPLATE: 'wd',
    };
    expect(() => loadConfig(prod)).toThrow(/WALLET_MASTER_KEYS: required in production/);
    const devKey = DEV_SECRETS.WALLET_MASTER_KEYS.split(':')[1]!;
    expect(() => loadConfig({ ...prod, WALLET_MASTER_KEYS: `mine:${devKey}` })).toThrow(
      /WALLET_MASTER_KEYS: the dev-only key is refused in production/,
    );
    const ok = loadConfig({ ...prod, WALLET_MASTER_KEYS: `k2026:${k(5)}` });
    expect(ok.wallet.masterKeys.toJSON()).toEqual({ currentId: 'k2026', ids: ['k2026'] });
    // the custody commands read the same keys, and nothing else secret
    expect(
      walletCommandsProcess.load({ NODE_ENV: 'production', WALLET_MASTER_KEYS: `k2026:${k(5)}` }).wallet.masterKeys.ids,
    ).toEqual(['k2026']);
  });

  it('config: a bad value is reported by name with the other problems, without the value', () => {
    try {
      loadConfig({ WALLET_MASTER_KEYS: `k1:${k(1).slice(0, 20)}`, WALLET_MAX_WALLETS_PER_NETWORK: '0' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual([
        'WALLET_MASTER_KEYS',
        'WALLET_MAX_WALLETS_PER_NETWORK',
      ]);
      expect((err as Error).message).not.toContain(k(1).slice(0, 20));
    }
  });
});
