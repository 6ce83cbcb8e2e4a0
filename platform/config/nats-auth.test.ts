import { describe, expect, it } from 'vitest';
import { ConfigError, migrateProcess } from './config.js';

describe('NATS credentials in config', () => {
  it('uses each service’s dev password in development and tests when none is configured', () => {
    expect(migrateProcess.load({ NODE_ENV: 'development' }).nats.auth).toEqual({ kind: 'dev' });
    expect(migrateProcess.load({ NODE_ENV: 'test' }).nats.auth).toEqual({ kind: 'dev' });
  });

  it('takes NATS_USER + NATS_PASSWORD, and refuses one without the other', () => {
    expect(migrateProcess.load({ NATS_USER: 'ledger', NATS_PASSWORD: 's3cret' }).nats.auth).toEqual({
      kind: 'password',
      user: 'ledger',
      password: 's3cret',
    });
    expect(() => migrateProcess.load({ NATS_USER: 'ledger' })).toThrow(ConfigError);
    expect(() => migrateProcess.load({ NATS_PASSWORD: 's3cret' })).toThrow(/NATS_USER\/NATS_PASSWORD: set both/);
  });

  it('takes NATS_CREDS when the file exists, never together with a password', () => {
    expect(migrateProcess.load({ NATS_CREDS: 'package.json', NATS_USER: 'wallet' }).nats.auth).toEqual({
      kind: 'creds',
      user: 'wallet',
      credsFile: 'package.json',
    });
    expect(() => migrateProcess.load({ NATS_CREDS: '/nonexistent/x.creds' })).toThrow(/NATS_CREDS: no file/);
    expect(() => migrateProcess.load({ NATS_CREDS: 'package.json', NATS_USER: 'wallet', NATS_PASSWORD: 'x' })).toThrow(
      /not both/,
    );
  });
});
