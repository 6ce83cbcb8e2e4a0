import { randomBytes } from 'node:crypto';
import {
  chainWatcherProcess,
  gatewayProcess,
  generateInternalTokenKeys,
  identityProcess,
  ledgerProcess,
  marketProcess,
  outboxRelayProcess,
  priceFeedProcess,
  walletProcess,
  type ChainWatcherConfig,
  type Env,
  type GatewayConfig,
  type IdentityConfig,
  type LedgerConfig,
  type MarketConfig,
  type OutboxRelayConfig,
  type PriceFeedConfig,
  type WalletConfig,
} from '../platform/config/config.js';
import { dropDatabase, ensureDatabase } from '../platform/db/database.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { provisionEventStream } from '../platform/bus/nats.js';

export const TEST_BOT_TOKEN = '7000000001:TEST-bot-token-for-integration-tests';

/** Every process's configuration from one test environment, merged (each process still loads only its own). */
export type TestConfig = GatewayConfig &
  IdentityConfig &
  WalletConfig &
  MarketConfig &
  LedgerConfig &
  OutboxRelayConfig &
  PriceFeedConfig &
  ChainWatcherConfig;

export interface TestEnv {
  /** The environment variables of this test environment: what each process's configuration is loaded from. */
  vars: Env;
  /** Every process's configuration, merged: for tests that drive one process's parts directly. */
  config: TestConfig;
  log: Logger;
  /** Drops the database; call in afterAll. */
  cleanup(): Promise<void>;
}

const TEST_PROCESSES = [
  gatewayProcess,
  identityProcess,
  walletProcess,
  marketProcess,
  ledgerProcess,
  outboxRelayProcess,
  priceFeedProcess,
  chainWatcherProcess,
];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Later plain objects merged into earlier ones; anything else (keys, key sets, arrays) taken whole. */
function merge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(existing) && isPlainObject(value)) target[key] = merge({ ...existing }, value);
    else if (Array.isArray(existing) && Array.isArray(value) && key === 'devDefaultsUsed')
      target[key] = [...new Set([...existing, ...value])];
    else target[key] = value;
  }
  return target;
}

/** Loads every process's configuration from `vars` (each throws ConfigError on its own problems) and merges them. */
export function loadTestConfig(vars: Env): TestConfig {
  const merged = TEST_PROCESSES.reduce<Record<string, unknown>>((all, spec) => merge(all, { ...spec.load(vars) }), {});
  return merged as unknown as TestConfig;
}

/**
 * A private environment for one test file on the real local services: a fresh database (migrations run
 * by the code under test), a Redis key prefix, a NATS subject prefix and stream, and an internal-token key
 * pair of its own.
 */
export async function createTestEnv(overrides: Env = {}): Promise<TestEnv> {
  const id = randomBytes(5).toString('hex');
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/t_${id}`;
  const vars: Env = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: url.toString(),
    DATABASE_POOL_MAX: '5',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `t_${id}:`,
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    NATS_STREAM: `T_${id}`,
    NATS_SUBJECT_PREFIX: `t${id}.`,
    JWT_SECRET: `test-jwt-secret-${id}-0123456789abcdef`,
    ...generateInternalTokenKeys(),
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    OUTBOX_POLL_MS: '200',
    SHUTDOWN_GRACE_MS: '1000',
    // No level caps unless a test sets its own: level limits need market prices, which most tests do not run.
    LEDGER_LEVEL_LIMITS: '1:USD:-:-:-',
    ...overrides,
  };
  const config = loadTestConfig(vars);
  await ensureDatabase(config.database.url);
  // As `npm run migrate` does: services may not create the stream on the authorized test server.
  await provisionEventStream(config.nats, createLogger({ name: 'test', level: 'silent' }));
  return {
    vars,
    config,
    log: createLogger({ name: 'test', level: config.logLevel }),
    cleanup: () => dropDatabase(config.database.url),
  };
}
