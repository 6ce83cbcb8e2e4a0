import { describe, expect, it } from 'vitest';
import { gatewayProcess, generateInternalTokenKeys } from '../platform/config/config.js';
import { originAllowed } from './cors.js';

describe('originAllowed', () => {
  it('development (CORS_ORIGINS unset) allows localhost pages on any port, and nothing else', () => {
    const { cors } = gatewayProcess.load({ NODE_ENV: 'development' }).gateway;
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'https://localhost', 'http://[::1]:8080'])
      expect(originAllowed(cors, origin, 'gw:4000'), origin).toBe(true);
    for (const origin of [
      'https://evil.example',
      'http://localhost.evil.example',
      'http://127.0.0.1.evil.example:80',
      'null',
    ])
      expect(originAllowed(cors, origin, 'gw:4000'), origin).toBe(false);
  });

  it('production allows only the listed origins, plus same-origin pages such as the playground', () => {
    const base = {
      NODE_ENV: 'production',
      JWT_SECRET: 'j'.repeat(40),
      INTERNAL_TOKEN_PRIVATE_KEY: generateInternalTokenKeys().INTERNAL_TOKEN_PRIVATE_KEY,
    };
    const closed = gatewayProcess.load(base).gateway.cors;
    expect(originAllowed(closed, 'http://localhost:5173', 'api.example.com')).toBe(false);
    expect(originAllowed(closed, 'https://api.example.com', 'api.example.com')).toBe(true);
    const listed = gatewayProcess.load({ ...base, CORS_ORIGINS: 'https://app.example.com, https://mini.example.org' })
      .gateway.cors;
    expect(originAllowed(listed, 'https://mini.example.org', 'api.example.com')).toBe(true);
    expect(originAllowed(listed, 'http://mini.example.org', 'api.example.com')).toBe(false);
  });

  it('refuses a wildcard or a malformed origin in CORS_ORIGINS', () => {
    expect(() => gatewayProcess.load({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(() => gatewayProcess.load({ CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ORIGINS/);
    expect(() => gatewayProcess.load({ TRUSTED_PROXIES: '10.0.0.0/40' })).toThrow(/TRUSTED_PROXIES/);
  });
});
