import { z } from 'zod';
import { PROVIDER_BASE_URLS } from './price-endpoints.js';
import { bool, port, positiveInt, section } from './env.js';

/**
 * Price providers and price freshness: the market subgraph (on-demand refresh), the price feed (polling,
 * retention) and the devnet price simulators read this. In dev/test the providers default to the simulators.
 */
export interface PricesConfig {
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
}

export const prices = section(
  {
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
  },
  (e, ctx): PricesConfig => {
    const simulators = e.PRICE_SIMULATORS ?? !ctx.production;
    if (simulators && ctx.production) ctx.problem('PRICE_SIMULATORS', 'simulated prices are refused in production');
    const simulatorUrl = (offset: number) => `http://${ctx.host}:${e.PRICE_SIMULATOR_PORT + offset}`;
    const coinmarketcapKey = e.COINMARKETCAP_API_KEY ?? (simulators ? 'devnet' : null);
    return {
      providers: {
        coingecko: e.COINGECKO_ENABLED
          ? {
              baseUrl:
                e.COINGECKO_BASE_URL ??
                (simulators
                  ? simulatorUrl(0)
                  : e.COINGECKO_PLAN === 'pro'
                    ? PROVIDER_BASE_URLS.coingeckoPro
                    : PROVIDER_BASE_URLS.coingecko),
              apiKey: e.COINGECKO_API_KEY ?? null,
              plan: e.COINGECKO_PLAN,
            }
          : null,
        // CoinMarketCap has no keyless access: it is on when a key is set (or with the simulator).
        coinmarketcap: coinmarketcapKey
          ? {
              baseUrl: e.COINMARKETCAP_BASE_URL ?? (simulators ? simulatorUrl(1) : PROVIDER_BASE_URLS.coinmarketcap),
              apiKey: coinmarketcapKey,
            }
          : null,
        nobitex: e.NOBITEX_ENABLED
          ? { baseUrl: e.NOBITEX_BASE_URL ?? (simulators ? simulatorUrl(2) : PROVIDER_BASE_URLS.nobitex) }
          : null,
      },
      simulatorPort: simulators ? e.PRICE_SIMULATOR_PORT : null,
      maxAgeSeconds: e.PRICE_MAX_AGE_SECONDS,
      cacheTtlSeconds: e.PRICE_CACHE_TTL_SECONDS,
      pollIntervalMs: e.PRICE_POLL_INTERVAL_MS,
    };
  },
);

export interface PriceRetentionConfig {
  tickRetentionDays: number;
  /** Days each candle timeframe is kept; 0 = forever. */
  candleRetentionDays: { M1: number; M5: number; H1: number; D1: number };
}

/** How long the price feed keeps ticks and candles. */
export const priceRetention = section(
  {
    PRICE_TICK_RETENTION_DAYS: positiveInt.default(2),
    CANDLE_M1_RETENTION_DAYS: positiveInt.default(7),
    CANDLE_M5_RETENTION_DAYS: positiveInt.default(35),
    CANDLE_H1_RETENTION_DAYS: positiveInt.default(400),
    /** 0 keeps daily candles forever. */
    CANDLE_D1_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  },
  (e): PriceRetentionConfig => ({
    tickRetentionDays: e.PRICE_TICK_RETENTION_DAYS,
    candleRetentionDays: {
      M1: e.CANDLE_M1_RETENTION_DAYS,
      M5: e.CANDLE_M5_RETENTION_DAYS,
      H1: e.CANDLE_H1_RETENTION_DAYS,
      D1: e.CANDLE_D1_RETENTION_DAYS,
    },
  }),
);
