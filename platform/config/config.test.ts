import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_SECRETS, loadConfig, parseLevelThresholds } from './config.js';

describe('loadConfig', () => {
  it('starts in development with no variables at all, naming the dev-only secrets it used', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.gateway.port).toBe(4000);
    expect(config.devDefaultsUsed.sort()).toEqual(Object.keys(DEV_SECRETS).sort());
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ GATEWAY_PORT: 'abc', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud', JWT_SECRET: 'short' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const names = (err as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(names.sort()).toEqual(['DATABASE_URL', 'GATEWAY_PORT', 'JWT_SECRET', 'LOG_LEVEL']);
    }
  });

  it('refuses to start in production without real secrets, or with the dev ones', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required in production[\s\S]*INTERNAL_TOKEN_SECRET[\s\S]*TELEGRAM_BOT_TOKEN/);
    const real = { JWT_SECRET: 'a'.repeat(40), INTERNAL_TOKEN_SECRET: 'b'.repeat(40), TELEGRAM_BOT_TOKEN: '12345:real-token', WALLET_MASTER_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };
    expect(Object.keys(real).sort()).toEqual(Object.keys(DEV_SECRETS).sort());
    expect(() => loadConfig({ NODE_ENV: 'production', ...real, JWT_SECRET: DEV_SECRETS.JWT_SECRET })).toThrow(/JWT_SECRET: the dev-only default is refused/);
    const ok = loadConfig({ NODE_ENV: 'production', ...real });
    expect(ok.devDefaultsUsed).toEqual([]);
    expect(ok.gateway.introspection).toBe(false);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', GATEWAY_PORT: '' }).port).toBeNull();
  });

  it('parses the level rule table', () => {
    expect(parseLevelThresholds('2:kyc=BASIC;3:kyc=FULL,volume=100')).toEqual([
      { level: 1, kyc: 'NONE', minTradeVolumeToman: 0n },
      { level: 2, kyc: 'BASIC', minTradeVolumeToman: 0n },
      { level: 3, kyc: 'FULL', minTradeVolumeToman: 100n },
    ]);
    expect(() => parseLevelThresholds('2:age=3')).toThrow(/unknown requirement/);
    expect(() => loadConfig({ LEVEL_THRESHOLDS: '1:kyc=FULL' })).toThrow(/LEVEL_THRESHOLDS/);
  });
});
