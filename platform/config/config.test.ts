import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, parseEnv } from 'node:util';
import { InternalTokenSigner, InternalTokenVerifier } from '../auth/tokens.js';
import { describe, expect, it } from 'vitest';
import {
  childEnvironment,
  ConfigError,
  DEV_SECRETS,
  generateInternalTokenKeys,
  botProcess,
  gatewayProcess,
  identityProcess,
  ledgerProcess,
  marketProcess,
  parseLevelThresholds,
  priceFeedProcess,
  processEnvironment,
  PROCESSES,
  problemsOfProcesses,
  walletProcess,
  type ProcessSpec,
} from './config.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
};
const keys = pair();
const MASTER = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
/** Real values of every secret: each process takes the ones it reads and ignores the rest. */
const REAL = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a'.repeat(40),
  TELEGRAM_BOT_TOKEN: '12345:real-token',
  WALLET_MASTER_KEYS: MASTER,
  INTERNAL_TOKEN_PRIVATE_KEY: keys.privateKey,
  INTERNAL_TOKEN_PUBLIC_KEY: keys.publicKey,
};

function problemsOf(spec: ProcessSpec<unknown>, env: Record<string, string>): string[] {
  try {
    spec.load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`${spec.name} loaded without problems`);
}
const names = (problems: string[]) => problems.map((p) => p.split(':')[0]).sort();

describe('configuration per process', () => {
  it('every process starts in development with no variables, using dev-only values for its own secrets only', () => {
    const expected: Record<string, string[]> = {
      gateway: ['INTERNAL_TOKEN_PRIVATE_KEY', 'JWT_SECRET'],
      identity: ['BOT_SERVICE_CREDENTIAL_SHA256', 'INTERNAL_TOKEN_PUBLIC_KEY', 'JWT_SECRET', 'TELEGRAM_BOT_TOKEN'],
      bot: ['BOT_SERVICE_CREDENTIAL', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET'],
      wallet: ['INTERNAL_TOKEN_PUBLIC_KEY', 'KAVENEGAR_API_KEY', 'WALLET_DATA_KEYS', 'WALLET_MASTER_KEYS'],
      market: ['INTERNAL_TOKEN_PUBLIC_KEY'],
      ledger: ['INTERNAL_TOKEN_PUBLIC_KEY'],
      kyc: [
        'INTERNAL_TOKEN_PUBLIC_KEY',
        'KAVENEGAR_API_KEY',
        'KYC_BLIND_INDEX_KEY',
        'KYC_DATA_KEYS',
        'S3_SECRET_ACCESS_KEY',
      ],
      'wallet-commands': ['WALLET_MASTER_KEYS'],
      'dev-init-data': ['TELEGRAM_BOT_TOKEN'],
      notifier: ['TELEGRAM_BOT_TOKEN'],
      's3-devnet': ['S3_SECRET_ACCESS_KEY'],
      'sms-simulator': ['KAVENEGAR_API_KEY'],
      support: ['INTERNAL_TOKEN_PUBLIC_KEY', 'S3_SECRET_ACCESS_KEY', 'SUPPORT_ALERT_BOT_TOKEN'],
      payment: [
        'FINNOTECH_CLIENT_SECRET',
        'INTERNAL_TOKEN_PUBLIC_KEY',
        'PAYMENT_CARD_INDEX_KEY',
        'PAYMENT_DATA_KEYS',
        'PAYSTAR_SIGN_KEY',
      ],
      'payments-worker': ['FINNOTECH_CLIENT_SECRET', 'PAYMENT_CARD_INDEX_KEY', 'PAYMENT_DATA_KEYS', 'PAYSTAR_SIGN_KEY'],
      'paystar-simulator': ['PAYSTAR_SIGN_KEY'],
      'finnotech-simulator': ['FINNOTECH_CLIENT_SECRET'],
      treasury: ['WALLET_MASTER_KEYS'],
      'voucher-simulators': ['PERFECT_MONEY_PASS_PHRASE', 'UTOPIA_TOKEN', 'UWALLET_TOKEN'],
      voucher: [
        'INTERNAL_TOKEN_PUBLIC_KEY',
        'PERFECT_MONEY_PASS_PHRASE',
        'UTOPIA_TOKEN',
        'UWALLET_TOKEN',
        'VOUCHER_CODE_INDEX_KEY',
        'VOUCHER_CODE_KEYS',
      ],
      'withdrawal-broadcaster': ['WALLET_MASTER_KEYS'],
    };
    for (const [name, spec] of Object.entries(PROCESSES)) {
      const config = spec.load({});
      expect(config.env).toBe('development');
      expect(config.process).toBe(name);
      expect([...config.devDefaultsUsed].sort(), name).toEqual(expected[name] ?? []);
    }
    expect(gatewayProcess.load({}).gateway.port).toBe(4000);
  });

  it('a bad COINGECKO_* value stops the processes that call CoinGecko, not the wallet', () => {
    const bad = { COINGECKO_BASE_URL: 'not a url', COINGECKO_PLAN: 'gold', COINGECKO_ENABLED: 'maybe' };
    expect(walletProcess.load(bad).wallet.masterKeys.ids).toEqual(['dev-only']);
    expect(() => gatewayProcess.load(bad)).not.toThrow();
    expect(() => ledgerProcess.load(bad)).not.toThrow();
    expect(names(problemsOf(marketProcess, bad))).toEqual([
      'COINGECKO_BASE_URL',
      'COINGECKO_ENABLED',
      'COINGECKO_PLAN',
    ]);
    expect(names(problemsOf(priceFeedProcess, bad))).toEqual([
      'COINGECKO_BASE_URL',
      'COINGECKO_ENABLED',
      'COINGECKO_PLAN',
    ]);
  });

  it('the bot in production needs its own credential, webhook secret, gateway and Mini App URLs, and refuses dev values; identity without a credential hash turns delegation off', () => {
    const bot = {
      NODE_ENV: 'production',
      TELEGRAM_BOT_TOKEN: '12345:real-token',
      TELEGRAM_SIMULATOR: 'false',
      BOT_MODE: 'webhook',
    };
    expect(problemsOf(botProcess, bot).sort()).toEqual([
      'BOT_SERVICE_CREDENTIAL: required in production (no dev default is used there)',
      'GATEWAY_URL: required in production',
      'MINI_APP_URL: required in production',
      'TELEGRAM_WEBHOOK_SECRET: required for webhook mode in production',
    ]);
    const complete = {
      ...bot,
      BOT_SERVICE_CREDENTIAL: `bsc_${'r'.repeat(43)}`,
      TELEGRAM_WEBHOOK_SECRET: 'w'.repeat(64),
      GATEWAY_URL: 'http://gateway:4000/graphql',
      MINI_APP_URL: 'https://wallet.example/app',
    };
    expect(botProcess.load(complete).bot).toMatchObject({ mode: 'webhook', port: 4187 });
    expect(problemsOf(botProcess, { ...complete, BOT_SERVICE_CREDENTIAL: DEV_SECRETS.BOT_SERVICE_CREDENTIAL })).toEqual(
      ['BOT_SERVICE_CREDENTIAL: the dev-only default is refused in production'],
    );
    expect(problemsOf(botProcess, { ...complete, BOT_SERVICE_CREDENTIAL: 'short' })[0]).toMatch(
      /^BOT_SERVICE_CREDENTIAL: must look like bsc_/,
    );
    expect(identityProcess.load(REAL).botDelegation).toBeNull();
    const hash = 'ab'.repeat(32);
    expect(identityProcess.load({ ...REAL, BOT_SERVICE_CREDENTIAL_SHA256: hash }).botDelegation).toEqual({
      credentialSha256: hash,
      tokenTtlSeconds: 300,
    });
    expect(botProcess.load({}).bot).toMatchObject({
      mode: 'polling',
      port: 4187,
      gatewayUrl: 'http://127.0.0.1:4000/graphql',
      miniAppUrl: 'http://127.0.0.1:4000/app',
    });
  });

  it('only the wallet, its commands, the treasury worker (it signs sweeps) and the withdrawal broadcaster (it signs) read WALLET_MASTER_KEYS; each secret is read only where it is used', () => {
    const readers = (variable: string) =>
      Object.values(PROCESSES)
        .filter((p) => p.variables.includes(variable))
        .map((p) => p.name)
        .sort();
    expect(readers('WALLET_MASTER_KEYS')).toEqual(['treasury', 'wallet', 'wallet-commands', 'withdrawal-broadcaster']);
    expect(readers('WALLET_MASTER_KEY_ID')).toEqual([
      'treasury',
      'wallet',
      'wallet-commands',
      'withdrawal-broadcaster',
    ]);
    expect(readers('INTERNAL_TOKEN_PRIVATE_KEY')).toEqual(['gateway']);
    expect(readers('INTERNAL_TOKEN_PUBLIC_KEY')).toEqual([
      'identity',
      'kyc',
      'ledger',
      'market',
      'payment',
      'support',
      'voucher',
      'wallet',
    ]);
    expect(readers('SUPPORT_ALERT_BOT_TOKEN')).toEqual(['support']);
    expect(readers('VOUCHER_CODE_KEYS')).toEqual(['voucher']);
    expect(readers('JWT_SECRET')).toEqual(['gateway', 'identity']);
    expect(readers('BOT_SERVICE_CREDENTIAL')).toEqual(['bot']);
    expect(readers('TELEGRAM_WEBHOOK_SECRET')).toEqual(['bot']);
    expect(readers('BOT_SERVICE_CREDENTIAL_SHA256')).toEqual(['identity']);
    expect(readers('TELEGRAM_BOT_TOKEN')).toEqual(['bot', 'dev-init-data', 'identity', 'notifier']);
    expect(readers('INTERNAL_TOKEN_SECRET')).toEqual([]); // the shared HMAC secret is gone
  });

  it('the gateway and market load in production without custody keys (or with garbage in their place) and hold none', () => {
    const { WALLET_MASTER_KEYS: _keys, ...withoutKeys } = REAL;
    for (const spec of [gatewayProcess, marketProcess]) {
      const config = spec.load({ ...withoutKeys, PRICE_SIMULATORS: 'false' });
      const printed = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })}`;
      expect(printed).not.toMatch(/masterKeys|MasterKeySet|dev-only|k1/);
      expect(printed).not.toContain(Buffer.alloc(32, 7).toString('base64'));
      expect(() =>
        spec.load({ ...withoutKeys, PRICE_SIMULATORS: 'false', WALLET_MASTER_KEYS: 'garbage' }),
      ).not.toThrow();
    }
    const gateway = gatewayProcess.load(REAL);
    expect(Object.keys(gateway).sort()).toEqual([
      'auth',
      'devDefaultsUsed',
      'env',
      'gateway',
      'host',
      'internalTokens',
      'logLevel',
      'nats',
      'port',
      'process',
      'redis',
      'shutdownGraceMs',
      'shutdownUnreadyMs',
      'telemetry',
    ]);
    expect(gateway.internalTokens.privateKey.type).toBe('private');
    const market = marketProcess.load({ ...REAL, PRICE_SIMULATORS: 'false' });
    expect(market.internalTokens.publicKey.type).toBe('public');
    expect(market).not.toHaveProperty('auth');
    expect(market).not.toHaveProperty('telegram');
  });

  it('reports every problem in one pass: bad values and missing production secrets together', () => {
    const gateway = problemsOf(gatewayProcess, {
      GATEWAY_PORT: 'abc',
      REDIS_URL: 'not a url',
      LOG_LEVEL: 'loud',
      JWT_SECRET: 'short',
      INTERNAL_TOKEN_PRIVATE_KEY: 'not a key',
      INTERNAL_TOKEN_TTL_SECONDS: '60',
    });
    expect(names(gateway)).toEqual([
      'GATEWAY_PORT',
      'INTERNAL_TOKEN_PRIVATE_KEY',
      'INTERNAL_TOKEN_TTL_SECONDS',
      'JWT_SECRET',
      'LOG_LEVEL',
      'REDIS_URL',
    ]);
    // a value that fails its schema does not hide a secret that production requires
    const identity = problemsOf(identityProcess, {
      NODE_ENV: 'production',
      DATABASE_URL: 'nowhere',
      LEVEL_THRESHOLDS: '1:kyc=FULL',
    });
    expect(names(identity)).toEqual([
      'DATABASE_URL',
      'INTERNAL_TOKEN_PUBLIC_KEY',
      'JWT_SECRET',
      'LEVEL_THRESHOLDS',
      'TELEGRAM_BOT_TOKEN',
    ]);
    const message = new ConfigError(identity, 'identity').message;
    expect(message).toMatch(/^Invalid configuration for identity:\n {2}- DATABASE_URL: /);
  });

  it('refuses dev-only secrets in production and requires real ones', () => {
    expect(problemsOf(gatewayProcess, { NODE_ENV: 'production' })).toEqual([
      'JWT_SECRET: required in production (no dev default is used there)',
      'INTERNAL_TOKEN_PRIVATE_KEY: required in production (no dev default is used there)',
    ]);
    expect(problemsOf(gatewayProcess, { ...REAL, JWT_SECRET: DEV_SECRETS.JWT_SECRET })).toEqual([
      'JWT_SECRET: the dev-only default is refused in production',
    ]);
    expect(
      problemsOf(gatewayProcess, { ...REAL, INTERNAL_TOKEN_PRIVATE_KEY: DEV_SECRETS.INTERNAL_TOKEN_PRIVATE_KEY }),
    ).toEqual(['INTERNAL_TOKEN_PRIVATE_KEY: the dev-only key pair is refused in production']);
    expect(
      problemsOf(ledgerProcess, { ...REAL, INTERNAL_TOKEN_PUBLIC_KEY: DEV_SECRETS.INTERNAL_TOKEN_PUBLIC_KEY }),
    ).toEqual(['INTERNAL_TOKEN_PUBLIC_KEY: the dev-only key pair is refused in production']);
    expect(problemsOf(identityProcess, { ...REAL, TELEGRAM_BOT_TOKEN: DEV_SECRETS.TELEGRAM_BOT_TOKEN })).toEqual([
      'TELEGRAM_BOT_TOKEN: the dev-only default is refused in production',
    ]);
    const ok = identityProcess.load(REAL);
    expect(ok.devDefaultsUsed).toEqual([]);
    expect(gatewayProcess.load(REAL).gateway.introspection).toBe(false);
  });

  it('internal token keys: Ed25519 as PEM (one line with \\n) or JWK; subgraphs refuse a private key; lifetime at most 30 s', () => {
    const oneLine = keys.privateKey.replace(/\n/g, '\\n');
    expect(
      gatewayProcess.load({ INTERNAL_TOKEN_PRIVATE_KEY: oneLine }).internalTokens.privateKey.asymmetricKeyType,
    ).toBe('ed25519');
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = JSON.stringify(privateKey.export({ format: 'jwk' }));
    expect(gatewayProcess.load({ INTERNAL_TOKEN_PRIVATE_KEY: jwk }).internalTokens.ttlSeconds).toBe(30);
    const publicJwk = JSON.stringify({ ...privateKey.export({ format: 'jwk' }), d: undefined });
    expect(ledgerProcess.load({ INTERNAL_TOKEN_PUBLIC_KEY: publicJwk }).internalTokens.publicKey.type).toBe('public');
    expect(problemsOf(ledgerProcess, { INTERNAL_TOKEN_PUBLIC_KEY: keys.privateKey })).toEqual([
      'INTERNAL_TOKEN_PUBLIC_KEY: this is a private key: subgraphs hold only the public key',
    ]);
    expect(problemsOf(walletProcess, { INTERNAL_TOKEN_PUBLIC_KEY: jwk })).toEqual([
      'INTERNAL_TOKEN_PUBLIC_KEY: this is a private key: subgraphs hold only the public key',
    ]);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(problemsOf(gatewayProcess, { INTERNAL_TOKEN_PRIVATE_KEY: rsa })[0]).toMatch(
      /^INTERNAL_TOKEN_PRIVATE_KEY: must be an Ed25519 key, not rsa/,
    );
    expect(problemsOf(gatewayProcess, { INTERNAL_TOKEN_TTL_SECONDS: '31' })).toEqual([
      'INTERNAL_TOKEN_TTL_SECONDS: must be at most 30',
    ]);
    // the key never appears in a problem
    expect(problemsOf(gatewayProcess, { INTERNAL_TOKEN_PRIVATE_KEY: rsa }).join('\n')).not.toContain(
      rsa.split('\n')[1]!,
    );
  });

  it('npm run keys:internal-token pairs load as one-line .env values, and what the gateway signs a subgraph verifies', async () => {
    const generated = generateInternalTokenKeys();
    expect(generated.INTERNAL_TOKEN_PRIVATE_KEY).not.toMatch(/\n/); // one line
    const env = parseEnv(
      Object.entries(generated)
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n'),
    );
    const gateway = gatewayProcess.load(env);
    const ledger = ledgerProcess.load(env);
    const token = await new InternalTokenSigner(
      gateway.internalTokens.privateKey,
      gateway.internalTokens.ttlSeconds,
    ).sign({ userId: 'usr_1', roles: ['USER'], claims: [], sessionId: null }, 'ledger');
    expect(await new InternalTokenVerifier(ledger.internalTokens.publicKey, 'ledger').verify(token)).toMatchObject({
      userId: 'usr_1',
    });
  });

  it('treats empty variables as unset', () => {
    expect(gatewayProcess.load({ PORT: '', GATEWAY_PORT: '' }).port).toBeNull();
    expect(gatewayProcess.load({ GATEWAY_PORT: '' }).gateway.port).toBe(4000);
  });

  it('parses the level rule table', () => {
    expect(parseLevelThresholds('2:kyc=BASIC;3:kyc=FULL,volume=100')).toEqual([
      { level: 1, kyc: 'NONE', minTradeVolumeToman: 0n },
      { level: 2, kyc: 'BASIC', minTradeVolumeToman: 0n },
      { level: 3, kyc: 'FULL', minTradeVolumeToman: 100n },
    ]);
    expect(() => parseLevelThresholds('2:age=3')).toThrow(/unknown requirement/);
    expect(() => identityProcess.load({ LEVEL_THRESHOLDS: '1:kyc=FULL' })).toThrow(/LEVEL_THRESHOLDS/);
  });
});

describe('what a process is given', () => {
  it('npm start hands each child only its own variables (and the machine basics), and no .env file', () => {
    const env = { ...REAL, COINGECKO_API_KEY: 'cg-key', DATABASE_URL: 'postgres://db/x', GATEWAY_PORT: '4000' };
    const gateway = childEnvironment(gatewayProcess, env, { PATH: '/usr/bin', SECRET_OF_THE_SHELL: 'x' });
    expect(gateway).toEqual({
      PATH: '/usr/bin',
      NODE_ENV: 'production',
      JWT_SECRET: REAL.JWT_SECRET,
      INTERNAL_TOKEN_PRIVATE_KEY: keys.privateKey,
      GATEWAY_PORT: '4000',
      ENV_FILE: 'none',
    });
    const wallet = childEnvironment(walletProcess, env, {});
    expect(Object.keys(wallet).sort()).toEqual([
      'DATABASE_URL',
      'ENV_FILE',
      'INTERNAL_TOKEN_PUBLIC_KEY',
      'NODE_ENV',
      'WALLET_MASTER_KEYS',
    ]);
    expect(Object.keys(childEnvironment(marketProcess, env, {})).sort()).toEqual([
      'COINGECKO_API_KEY',
      'DATABASE_URL',
      'ENV_FILE',
      'INTERNAL_TOKEN_PUBLIC_KEY',
      'NODE_ENV',
    ]);
  });

  it("npm start lists every child's problems, grouped by process, before starting any", () => {
    const env = { COINGECKO_PLAN: 'gold', JWT_SECRET: 'short' };
    expect(problemsOfProcesses(Object.values(PROCESSES), env)).toEqual([
      'gateway:',
      '  - JWT_SECRET: must be at least 32 characters',
      'identity:',
      '  - JWT_SECRET: must be at least 32 characters',
      'market:',
      "  - COINGECKO_PLAN: Invalid enum value. Expected 'demo' | 'pro', received 'gold'",
      'price-feed:',
      "  - COINGECKO_PLAN: Invalid enum value. Expected 'demo' | 'pro', received 'gold'",
      'price-simulators:',
      "  - COINGECKO_PLAN: Invalid enum value. Expected 'demo' | 'pro', received 'gold'",
    ]);
    expect(problemsOfProcesses(Object.values(PROCESSES), {})).toEqual([]);
  });

  it('reads ENV_FILE (default .env) under the real environment; ENV_FILE=none reads no file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'csg-env-')), 'test.env');
    writeFileSync(file, 'GATEWAY_PORT=4999\nLOG_LEVEL=debug\n');
    const env = processEnvironment({ ENV_FILE: file, LOG_LEVEL: 'warn' });
    expect(gatewayProcess.load(env)).toMatchObject({ logLevel: 'warn', gateway: { port: 4999 } });
    expect(processEnvironment({ ENV_FILE: 'none', LOG_LEVEL: 'warn' })).toEqual({
      ENV_FILE: 'none',
      LOG_LEVEL: 'warn',
    });
  });

  it('an entrypoint with bad variables prints the readable list and exits 1, without a stack trace', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      env: {
        PATH: process.env.PATH,
        ENV_FILE: 'none',
        GATEWAY_PORT: 'abc',
        JWT_SECRET: 'short',
        WALLET_MASTER_KEYS: 'garbage',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'Invalid configuration for gateway:\n  - GATEWAY_PORT: Expected number, received nan\n  - JWT_SECRET: must be at least 32 characters\n',
    );
  }, 60_000);
});
