import { existsSync } from 'node:fs';
import { z } from 'zod';
import { MasterKeySet, parseMasterKeys } from './master-keys.js';
import { buildNatsAuth, type NatsAuth } from './nats-auth.js';
import { buildChainsConfig, chainEnvSchema, type ChainsConfig } from './chains.js';
import { PROVIDER_BASE_URLS } from '../../providers/prices.endpoints.js';
import { DEFAULT_LEDGER_FEES, DEFAULT_LEDGER_LIMITS, parseLedgerFees, parseLedgerLimits, type FeeRule, type LimitRule } from './ledger-rules.js';

export { MasterKeySet } from './master-keys.js';

/**
 * The one reader of process.env. Every process calls loadConfig once at start-up; a bad variable is
 * reported by name (all of them at once) and the process exits 1.
 */

/** Secrets with a dev-only default; production requires each to be set. */
export const DEV_SECRETS = {
  JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789abcdef',
  INTERNAL_TOKEN_SECRET: 'dev-only-internal-secret-change-me-0123456789',
  TELEGRAM_BOT_TOKEN: '1000000001:DEV-only-bot-token-change-me',
  /** Public in this repository: it protects nothing but dev and test custody roots. */
  WALLET_MASTER_KEYS: 'dev-only:4wK7FSHKJxxO6wz9mNx30umgiiC/4Bnfm2IYxQz3E70=',
} as const;

const TELEGRAM_PRODUCTION_PUBLIC_KEY = 'e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const secret = z.string().min(32, 'must be at least 32 characters');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: port.optional(),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/custody_dev'),
  DATABASE_POOL_MAX: positiveInt.default(10),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().default('csg:'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/).default('EVENTS'),
  NATS_SUBJECT_PREFIX: z.string().regex(/^([a-z0-9_-]+\.)?$/, 'must be empty or end with a dot, e.g. "staging."').default(''),
  NATS_USER: z.string().regex(/^[a-z0-9_-]+$/).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_CREDS: z.string().optional(),
  /** Port of the authorized nats-server `npm start` runs when NATS_URL is not set (development). */
  NATS_DEV_PORT: port.default(4223),

  GATEWAY_PORT: port.default(4000),
  IDENTITY_PORT: port.default(4101),
  WALLET_PORT: port.default(4102),
  MARKET_PORT: port.default(4103),
  LEDGER_PORT: port.default(4104),
  LEDGER_FEES: z.string().default(DEFAULT_LEDGER_FEES),
  LEDGER_LIMITS: z.string().default(DEFAULT_LEDGER_LIMITS),
  LEDGER_SEAL_INTERVAL_MS: positiveInt.default(200),
  LEDGER_HOLD_SWEEP_MS: positiveInt.default(5_000),
  LEDGER_POSTING_LANES: positiveInt.max(64).default(1),
  // At least a day: a client retrying within a day must never move money twice.
  LEDGER_IDEMPOTENCY_RETENTION_DAYS: positiveInt.default(30),
  IDENTITY_URL: z.string().url().optional(),
  SUBGRAPH_URLS: z.string().optional(),

  JWT_SECRET: secret.optional(),
  INTERNAL_TOKEN_SECRET: secret.optional(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  REFRESH_TOKEN_TTL_DAYS: positiveInt.default(30),
  INTERNAL_TOKEN_TTL_SECONDS: positiveInt.default(60),

  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like <bot id>:<secret>').optional(),
  TELEGRAM_BOT_ID: z.string().regex(/^\d+$/).optional(),
  TELEGRAM_PUBLIC_KEY: z.string().regex(/^[0-9a-f]{64}$/i).default(TELEGRAM_PRODUCTION_PUBLIC_KEY),
  TELEGRAM_AUTH_MAX_AGE_SECONDS: positiveInt.default(3600),

  /** Envelope master keys `id:base64(32 bytes)[,id2:…]`; WALLET_MASTER_KEY_ID names the current one (default: the last). */
  WALLET_MASTER_KEYS: z.string().optional(),
  WALLET_MASTER_KEY_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)').optional(),
  WALLET_MAX_WALLETS_PER_NETWORK: positiveInt.max(100).default(5),
  WALLET_BALANCE_CACHE_SECONDS: positiveInt.max(3600).default(15),

  LEVEL_THRESHOLDS: z.string().default('2:kyc=BASIC;3:kyc=FULL,volume=50000000'),

  QUERY_MAX_DEPTH: positiveInt.default(10),
  QUERY_MAX_ALIASES: positiveInt.default(15),
  QUERY_MAX_TOKENS: positiveInt.default(1000),
  QUERY_MAX_COST: positiveInt.default(5000),
  RATE_LIMIT_VIEWER_PER_MINUTE: positiveInt.default(600),
  RATE_LIMIT_IP_PER_MINUTE: positiveInt.default(1200),
  PLAYGROUND_ENABLED: bool.optional(),
  INTROSPECTION_ENABLED: bool.optional(),

  OUTBOX_POLL_MS: positiveInt.default(500),
  OUTBOX_RETENTION_DAYS: positiveInt.default(7),
  OUTBOX_RELAY_PORT: port.default(4190),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),

  // market: price providers (dev/test default to the simulators of the price-simulators process)
  PRICE_SIMULATORS: bool.optional(),
  PRICE_SIMULATOR_PORT: port.default(4192),
  COINGECKO_ENABLED: bool.default('true'),
  COINGECKO_BASE_URL: z.string().url().optional(),
  COINGECKO_API_KEY: z.string().min(1).optional(),
  COINGECKO_PLAN: z.enum(['demo', 'pro']).default('demo'),
  COINMARKETCAP_BASE_URL: z.string().url().optional(),
  COINMARKETCAP_API_KEY: z.string().min(1).optional(),
  NOBITEX_ENABLED: bool.default('true'),
  NOBITEX_BASE_URL: z.string().url().optional(),
  PRICE_MAX_AGE_SECONDS: positiveInt.default(120),
  PRICE_CACHE_TTL_SECONDS: positiveInt.default(60),
  PRICE_POLL_INTERVAL_MS: positiveInt.default(10_000),
  PRICE_FEED_PORT: port.default(4191),
  PRICE_TICK_RETENTION_DAYS: positiveInt.default(2),
  CANDLE_M1_RETENTION_DAYS: positiveInt.default(7),
  CANDLE_M5_RETENTION_DAYS: positiveInt.default(35),
  CANDLE_H1_RETENTION_DAYS: positiveInt.default(400),
  /** 0 keeps daily candles forever. */
  CANDLE_D1_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),

  // chains: endpoints, confirmations and deposit watchers (see chains.ts)
  ...chainEnvSchema,
});

export type Env = Record<string, string | undefined>;
export type NodeEnv = 'development' | 'test' | 'production';

export interface LevelRule {
  level: number;
  kyc: 'NONE' | 'BASIC' | 'FULL';
  minTradeVolumeToman: bigint;
}

export interface Config {
  env: NodeEnv;
  logLevel: string;
  host: string;
  port: number | null;
  database: { url: string; poolMax: number };
  redis: { url: string; keyPrefix: string };
  /** subjectPrefix isolates environments sharing one NATS (tests, staging); empty in production. */
  nats: { url: string; stream: string; subjectPrefix: string; auth: NatsAuth; devServerPort: number };
  gateway: {
    port: number;
    subgraphs: Record<string, string>;
    limits: { maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number };
    rateLimits: { viewerPerMinute: number; ipPerMinute: number };
    playground: boolean;
    introspection: boolean;
  };
  identity: { port: number };
  wallet: {
    port: number;
    /** Key ids and bytes; prints as ids only. */
    masterKeys: MasterKeySet;
    maxWalletsPerNetwork: number;
    balanceCacheSeconds: number;
  };
  market: {
    port: number;
    prices: {
      /** Each provider's endpoint, or null when it is off (same shape as providers/prices.config.ts). */
      providers: {
        coingecko: { baseUrl: string; apiKey: string | null; plan: 'demo' | 'pro' } | null;
        coinmarketcap: { baseUrl: string; apiKey: string } | null;
        nobitex: { baseUrl: string } | null;
      };
      /** Port of the first of the three devnet simulators (CoinGecko, CoinMarketCap, Nobitex); null when real providers are used. */
      simulatorPort: number | null;
      /** A price whose oldest contributing observation is older than this is never quoted (PRICE_STALE). */
      maxAgeSeconds: number;
      cacheTtlSeconds: number;
      pollIntervalMs: number;
      feedPort: number;
      tickRetentionDays: number;
      /** Days each candle timeframe is kept; 0 = forever. */
      candleRetentionDays: { M1: number; M5: number; H1: number; D1: number };
    };
  };
  ledger: {
    port: number;
    /** Transfer fee per asset symbol, credited to fees:<asset>. */
    fees: Record<string, FeeRule>;
    /** Transfer limits per asset symbol (per transfer, per user per UTC day). */
    limits: Record<string, LimitRule>;
    /** How often committed transactions are sealed into the hash chain. */
    sealIntervalMs: number;
    /** How often expired holds are released. */
    holdSweepMs: number;
    /** Posting batches in flight at once per process (fewer lanes, bigger batches). */
    postingLanes: number;
    /** Days an idempotency key is remembered; a key older than this is forgotten and may be used again. */
    idempotencyRetentionDays: number;
  };
  auth: {
    jwtSecret: string;
    internalTokenSecret: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    internalTokenTtlSeconds: number;
  };
  telegram: {
    botToken: string;
    botId: string | null;
    publicKeyHex: string;
    authMaxAgeSeconds: number;
  };
  levels: LevelRule[];
  /** retentionDays: how long a published outbox row is kept (JetStream holds the event itself). */
  outbox: { pollMs: number; port: number; retentionDays: number };
  /** Chain endpoints and deposit watchers per network (chains.ts). */
  chains: ChainsConfig;
  shutdownGraceMs: number;
  /** Names of secrets that fell back to dev-only defaults (never allowed in production). */
  devDefaultsUsed: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseLevelThresholds(text: string): LevelRule[] {
  const rules: LevelRule[] = [{ level: 1, kyc: 'NONE', minTradeVolumeToman: 0n }];
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d+):(.*)$/.exec(part);
    if (!match) throw new Error(`"${part}" is not <level>:<requirement>,...`);
    const rule: LevelRule = { level: Number(match[1]), kyc: 'NONE', minTradeVolumeToman: 0n };
    for (const req of (match[2] ?? '').split(',').map((r) => r.trim()).filter(Boolean)) {
      const [key, value] = req.split('=');
      if (key === 'kyc' && (value === 'NONE' || value === 'BASIC' || value === 'FULL')) rule.kyc = value;
      else if (key === 'volume' && value !== undefined && /^\d+$/.test(value)) rule.minTradeVolumeToman = BigInt(value);
      else throw new Error(`unknown requirement "${req}" (use kyc=NONE|BASIC|FULL or volume=<toman>)`);
    }
    if (rule.level < 2) throw new Error(`level ${rule.level}: level 1 is the entry level and has no requirements`);
    rules.push(rule);
  }
  rules.sort((a, b) => a.level - b.level);
  return rules;
}

function parseSubgraphUrls(text: string | undefined, host: string, ports: Record<string, number>): Record<string, string> {
  const urls: Record<string, string> = Object.fromEntries(Object.entries(ports).map(([name, p]) => [name, `http://${host}:${p}/graphql`]));
  if (!text) return urls;
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`"${pair}" is not name=url`);
    const url = pair.slice(eq + 1);
    new URL(url);
    urls[pair.slice(0, eq)] = url;
  }
  return urls;
}

export function loadConfig(env: Env = process.env): Config {
  // An empty variable (FOO= in a .env file) means "not set", as in most tooling.
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const devDefaultsUsed: string[] = [];
  const secretOrDefault = (name: keyof typeof DEV_SECRETS, value: string | undefined): string => {
    if (value) return value;
    if (e.NODE_ENV === 'production') {
      problems.push(`${name}: required in production (no dev default is used there)`);
      return '';
    }
    devDefaultsUsed.push(name);
    return DEV_SECRETS[name];
  };
  const jwtSecret = secretOrDefault('JWT_SECRET', e.JWT_SECRET);
  const internalTokenSecret = secretOrDefault('INTERNAL_TOKEN_SECRET', e.INTERNAL_TOKEN_SECRET);
  const botToken = secretOrDefault('TELEGRAM_BOT_TOKEN', e.TELEGRAM_BOT_TOKEN);
  if (e.NODE_ENV === 'production') {
    for (const [name, value] of Object.entries({ JWT_SECRET: e.JWT_SECRET, INTERNAL_TOKEN_SECRET: e.INTERNAL_TOKEN_SECRET })) {
      if (value && Object.values(DEV_SECRETS).includes(value as never)) problems.push(`${name}: the dev-only default is refused in production`);
    }
  }
  let masterKeys = new MasterKeySet([], '');
  try {
    masterKeys = parseMasterKeys(secretOrDefault('WALLET_MASTER_KEYS', e.WALLET_MASTER_KEYS), e.WALLET_MASTER_KEY_ID);
    const devKey = parseMasterKeys(DEV_SECRETS.WALLET_MASTER_KEYS, undefined).entries()[0]!.key;
    if (e.NODE_ENV === 'production' && e.WALLET_MASTER_KEYS && masterKeys.containsKey(devKey)) {
      problems.push('WALLET_MASTER_KEYS: the dev-only key is refused in production');
    }
    devKey.fill(0);
  } catch (err) {
    if (e.WALLET_MASTER_KEYS || e.NODE_ENV !== 'production') problems.push(`WALLET_MASTER_KEYS: ${(err as Error).message}`);
  }
  if (jwtSecret && jwtSecret === internalTokenSecret) problems.push('INTERNAL_TOKEN_SECRET: must differ from JWT_SECRET');

  /** The parsed value, or `fallback` with the parse error listed under the variable's name. */
  const parseOr = <T>(variable: string, fallback: T, parse: () => T): T => {
    try {
      return parse();
    } catch (err) {
      problems.push(`${variable}: ${(err as Error).message}`);
      return fallback;
    }
  };
  const levels = parseOr<LevelRule[]>('LEVEL_THRESHOLDS', [], () => parseLevelThresholds(e.LEVEL_THRESHOLDS));
  const subgraphs = parseOr<Record<string, string>>('SUBGRAPH_URLS', {}, () => {
    const urls = parseSubgraphUrls(e.SUBGRAPH_URLS, e.HOST, { identity: e.IDENTITY_PORT, wallet: e.WALLET_PORT, market: e.MARKET_PORT, ledger: e.LEDGER_PORT });
    if (e.IDENTITY_URL) urls.identity = e.IDENTITY_URL;
    return urls;
  });
  const simulators = e.PRICE_SIMULATORS ?? e.NODE_ENV !== 'production';
  if (simulators && e.NODE_ENV === 'production') problems.push('PRICE_SIMULATORS: simulated prices are refused in production');
  const simulatorUrl = (offset: number) => `http://${e.HOST}:${e.PRICE_SIMULATOR_PORT + offset}`;
  const coinmarketcapKey = e.COINMARKETCAP_API_KEY ?? (simulators ? 'devnet' : null);
  const ledgerFees = parseOr<Record<string, FeeRule>>('LEDGER_FEES', {}, () => parseLedgerFees(e.LEDGER_FEES));
  const ledgerLimits = parseOr<Record<string, LimitRule>>('LEDGER_LIMITS', {}, () => parseLedgerLimits(e.LEDGER_LIMITS));
  const chains = buildChainsConfig(e, problems);
  const natsAuth = buildNatsAuth(e, problems);
  if (problems.length) throw new ConfigError(problems);

  const production = e.NODE_ENV === 'production';
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    port: e.PORT ?? null,
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    nats: { url: e.NATS_URL, stream: e.NATS_STREAM, subjectPrefix: e.NATS_SUBJECT_PREFIX, auth: natsAuth, devServerPort: e.NATS_DEV_PORT },
    gateway: {
      port: e.GATEWAY_PORT,
      subgraphs,
      limits: { maxDepth: e.QUERY_MAX_DEPTH, maxAliases: e.QUERY_MAX_ALIASES, maxTokens: e.QUERY_MAX_TOKENS, maxCost: e.QUERY_MAX_COST },
      rateLimits: { viewerPerMinute: e.RATE_LIMIT_VIEWER_PER_MINUTE, ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE },
      playground: e.PLAYGROUND_ENABLED ?? true,
      introspection: e.INTROSPECTION_ENABLED ?? !production,
    },
    identity: { port: e.IDENTITY_PORT },
    wallet: {
      port: e.WALLET_PORT,
      masterKeys,
      maxWalletsPerNetwork: e.WALLET_MAX_WALLETS_PER_NETWORK,
      balanceCacheSeconds: e.WALLET_BALANCE_CACHE_SECONDS,
    },
    market: {
      port: e.MARKET_PORT,
      prices: {
        providers: {
          coingecko: e.COINGECKO_ENABLED
            ? { baseUrl: e.COINGECKO_BASE_URL ?? (simulators ? simulatorUrl(0) : e.COINGECKO_PLAN === 'pro' ? PROVIDER_BASE_URLS.coingeckoPro : PROVIDER_BASE_URLS.coingecko), apiKey: e.COINGECKO_API_KEY ?? null, plan: e.COINGECKO_PLAN }
            : null,
          // CoinMarketCap has no keyless access: it is on when a key is set (or with the simulator).
          coinmarketcap: coinmarketcapKey ? { baseUrl: e.COINMARKETCAP_BASE_URL ?? (simulators ? simulatorUrl(1) : PROVIDER_BASE_URLS.coinmarketcap), apiKey: coinmarketcapKey } : null,
          nobitex: e.NOBITEX_ENABLED ? { baseUrl: e.NOBITEX_BASE_URL ?? (simulators ? simulatorUrl(2) : PROVIDER_BASE_URLS.nobitex) } : null,
        },
        simulatorPort: simulators ? e.PRICE_SIMULATOR_PORT : null,
        maxAgeSeconds: e.PRICE_MAX_AGE_SECONDS,
        cacheTtlSeconds: e.PRICE_CACHE_TTL_SECONDS,
        pollIntervalMs: e.PRICE_POLL_INTERVAL_MS,
        feedPort: e.PRICE_FEED_PORT,
        tickRetentionDays: e.PRICE_TICK_RETENTION_DAYS,
        candleRetentionDays: { M1: e.CANDLE_M1_RETENTION_DAYS, M5: e.CANDLE_M5_RETENTION_DAYS, H1: e.CANDLE_H1_RETENTION_DAYS, D1: e.CANDLE_D1_RETENTION_DAYS },
      },
    },
    ledger: { port: e.LEDGER_PORT, fees: ledgerFees, limits: ledgerLimits, sealIntervalMs: e.LEDGER_SEAL_INTERVAL_MS, holdSweepMs: e.LEDGER_HOLD_SWEEP_MS, postingLanes: e.LEDGER_POSTING_LANES, idempotencyRetentionDays: e.LEDGER_IDEMPOTENCY_RETENTION_DAYS },
    auth: {
      jwtSecret,
      internalTokenSecret,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
      internalTokenTtlSeconds: e.INTERNAL_TOKEN_TTL_SECONDS,
    },
    telegram: {
      botToken,
      botId: e.TELEGRAM_BOT_ID ?? null,
      publicKeyHex: e.TELEGRAM_PUBLIC_KEY.toLowerCase(),
      authMaxAgeSeconds: e.TELEGRAM_AUTH_MAX_AGE_SECONDS,
    },
    levels,
    outbox: { pollMs: e.OUTBOX_POLL_MS, port: e.OUTBOX_RELAY_PORT, retentionDays: e.OUTBOX_RETENTION_DAYS },
    chains,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    devDefaultsUsed,
  };
}

/** loadConfig for entrypoints: reads ./.env if there is one, prints every problem and exits 1 instead of throwing. */
export function loadConfigOrExit(env: Env = process.env): Config {
  if (env === process.env && existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
