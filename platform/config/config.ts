/**
 * Configuration, per process. Each process (gateway, each subgraph, each worker, each command) has its own
 * spec in processes/, composed from small shared sections (pieces.ts: database, redis, nats, ports;
 * secrets.ts: one section per secret; prices.ts; chains.ts) and its own settings. A process reads and
 * validates only its own variables and holds only the secrets it uses; every problem is reported in one
 * pass (ConfigError) and an entrypoint exits 1 with the list (loadOrExit).
 *
 *   const config = loadOrExit(gatewayProcess);
 */
export {
  childEnvironment,
  ConfigError,
  loadOrExit,
  pickVariables,
  problemsOfProcesses,
  processEnvironment,
  type ConfigOf,
  type Env,
  type NodeEnv,
  type ProcessSpec,
  type RuntimeConfig,
} from './env.js';
export { DEV_SECRETS, generateInternalTokenKeys, INTERNAL_TOKEN_MAX_TTL_SECONDS, parseEd25519Key } from './secrets.js';
export { MasterKeySet } from './master-keys.js';
export { DEV_S3_ACCESS_KEY_ID, DEV_S3_SECRET_ACCESS_KEY, storage, type StorageConfig } from './storage.js';
export { sms, SMS_DEV_DEFAULTS, SMS_PROVIDER_BASE_URLS, type SmsConfig, type SmsProviderName } from './sms.js';
export { parseLevelThresholds, type LevelRule } from './processes/identity.js';
export * from './processes/index.js';
export { telegramBotApi, TELEGRAM_BOT_API_URL, type TelegramBotApiConfig } from './telegram-bot.js';
export {
  paystar,
  finnotech,
  PAYSTAR_API_URL,
  PAYSTAR_DEV_DEFAULTS,
  FINNOTECH_API_URL,
  FINNOTECH_DEV_DEFAULTS,
  type PaystarConfig,
  type FinnotechConfig,
} from './payment-providers.js';
export { outboundProxy } from './outbound-proxy.js';
export { telemetrySettings, type TelemetryConfig } from './telemetry.js';
export { voucherProviders, VOUCHER_DEV_DEFAULTS, type VoucherProvidersConfig } from './vouchers.js';
