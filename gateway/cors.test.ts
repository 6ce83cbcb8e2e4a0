import { describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config/config.js';
import { originAllowed } from './cors.js';

describe('originAllowed', () => {
  it('development (CORS_ORIGINS unset) allows localhost pages on any port, and nothing else', () => {
    const { cors } = loadConfig({ NODE_ENV: 'development' }).gateway;
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'https://localhost', 'http://[::1]:8080']) expect(originAllowed(cors, origin, 'gw:4000'), origin).toBe(true);
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example:80', 'null']) expect(originAllowed(cors, origin, 'gw:4000'), origin).toBe(false);
  });

  it('production allows only the listed origins, plus same-origin pages such as the playground', () => {
    const base = { NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), INTERNAL_TOKEN_SECRET: 'i'.repeat(40), TELEGRAM_BOT_TOKEN: '1:x', WALLET_MASTER_KEYS: `k:${Buffer.alloc(32, 7).toString('base64')}`, PRICE_SIMULATORS: 'false' };
    const closed = loadConfig(base).gateway.cors;
    expect(originAllowed(closed, 'http://localhost:5173', 'api.example.com')).toBe(false);
    expect(originAllowed(closed, 'https://api.example.com', 'api.example.com')).toBe(true);
    const listed = loadConfig({ ...base, CORS_ORIGINS: 'https://app.example.com, https://mini.example.org' }).gateway.cors;
    expect(originAllowed(listed, 'https://mini.example.org', 'api.example.com')).toBe(true);
    expect(originAllowed(listed, 'http://mini.example.org', 'api.example.com')).toBe(false);
  });

  it('refuses a wildcard or a malformed origin in CORS_ORIGINS', () => {
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/40' })).toThrow(/TRUSTED_PROXIES/);
  });
});
