import { randomBytes } from 'node:crypto';
import { loadConfig, type Config, type Env } from '../config/config.js';
import { dropDatabase, ensureDatabase } from '../db/database.js';
import { createLogger, type Logger } from '../logger.js';
import { provisionEventStream } from '../bus/nats.js';

export const TEST_BOT_TOKEN = '7000000001:TEST-bot-token-for-integration-tests';

export interface TestEnv {
  config: Config;
  log: Logger;
  /** Drops the database; call in afterAll. */
  cleanup(): Promise<void>;
}

/**
 * A private environment for one test file on the real local services: a fresh database (migrations run
 * by the code under test), a Redis key prefix, a NATS subject prefix and stream of its own.
 */
export async function createTestEnv(overrides: Env = {}): Promise<TestEnv> {
  const id = randomBytes(5).toString('hex');
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/t_${id}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: url.toString(),
    DATABASE_POOL_MAX: '10',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `t_${id}:`,
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    NATS_STREAM: `T_${id}`,
    NATS_SUBJECT_PREFIX: `t${id}.`,
    JWT_SECRET: `test-jwt-secret-${id}-0123456789abcdef`,
    INTERNAL_TOKEN_SECRET: `test-internal-secret-${id}-0123456789ab`,
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    OUTBOX_POLL_MS: '200',
    SHUTDOWN_GRACE_MS: '1000',
    ...overrides,
  });
  await ensureDatabase(config.database.url);
  // As `npm run migrate` does: services may not create the stream on the authorized test server.
  await provisionEventStream(config.nats, createLogger({ name: 'test', level: 'silent' }));
  return {
    config,
    log: createLogger({ name: 'test', level: config.logLevel }),
    cleanup: () => dropDatabase(config.database.url),
  };
}
