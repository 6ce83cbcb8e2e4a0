import type { Logger } from 'pino';
import { createCoinGeckoClient, type CoinGeckoClient, type CoinGeckoPlan } from './coingecko/coingecko.client.js';
import { createCoinMarketCapClient, type CoinMarketCapClient } from './coinmarketcap/coinmarketcap.client.js';
import { createNobitexClient, type NobitexClient } from './nobitex/nobitex.client.js';
import type { PriceSource } from './price-source.port.js';
import type { ResilienceOptions } from './http/resilience.js';

/**
 * Which endpoint each price provider uses. A provider is `null` when switched off. The same clients talk to the
 * real APIs and to the simulators: only `baseUrl` differs (use `PROVIDER_BASE_URLS` for production, or the URLs
 * from `startPriceSimulators` in devnet/prices for devnet and tests). Parsing environment variables into this shape is the job of
 * the process's `loadConfig`; this module reads no environment.
 */
export interface PriceProvidersConfig {
  coingecko: { baseUrl: string; apiKey: string | null; plan?: CoinGeckoPlan } | null;
  coinmarketcap: { baseUrl: string; apiKey: string } | null;
  nobitex: { baseUrl: string } | null;
}

export { PROVIDER_BASE_URLS } from '../platform/config/price-endpoints.js';
export type { ResilienceOptions };

export interface PriceSourceDeps {
  log?: Logger;
  now?: () => Date;
  /** Overrides every client's timeout/retry/breaker/rate-limit defaults (tests use short ones). */
  resilience?: ResilienceOptions;
}

export interface PriceSources {
  coingecko: CoinGeckoClient | null;
  coinmarketcap: CoinMarketCapClient | null;
  nobitex: NobitexClient | null;
  /** Every enabled source, for aggregation. */
  all: PriceSource[];
}

export function createPriceSources(config: PriceProvidersConfig, deps: PriceSourceDeps = {}): PriceSources {
  const common = {
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.resilience ? { resilience: deps.resilience } : {}),
  };
  const coingecko = config.coingecko
    ? createCoinGeckoClient({
        baseUrl: config.coingecko.baseUrl,
        apiKey: config.coingecko.apiKey,
        ...(config.coingecko.plan ? { plan: config.coingecko.plan } : {}),
        ...common,
      })
    : null;
  const coinmarketcap = config.coinmarketcap
    ? createCoinMarketCapClient({
        baseUrl: config.coinmarketcap.baseUrl,
        apiKey: config.coinmarketcap.apiKey,
        ...common,
      })
    : null;
  const nobitex = config.nobitex ? createNobitexClient({ baseUrl: config.nobitex.baseUrl, ...common }) : null;
  const all: PriceSource[] = [coingecko, coinmarketcap, nobitex].filter((s): s is NonNullable<typeof s> => s !== null);
  return { coingecko, coinmarketcap, nobitex, all };
}
