import type { Logger } from 'pino';
import { createCoinGeckoClient, type CoinGeckoClient, type CoinGeckoPlan } from './coingecko/coingecko.client.js';
import { startCoinGeckoSimulator, type CoinGeckoSimulator } from './coingecko/coingecko.simulator.js';
import { createCoinMarketCapClient, type CoinMarketCapClient } from './coinmarketcap/coinmarketcap.client.js';
import { startCoinMarketCapSimulator, type CoinMarketCapSimulator } from './coinmarketcap/coinmarketcap.simulator.js';
import type { FailureMode, FailureSpec } from './http/simulator.failures.js';
import { createNobitexClient, type NobitexClient } from './nobitex/nobitex.client.js';
import { startNobitexSimulator, type NobitexSimulator } from './nobitex/nobitex.simulator.js';
import type { PriceSource } from './price-source.port.js';
import type { ResilienceOptions } from './http/resilience.js';

/**
 * Which endpoint each price provider uses. A provider is `null` when switched off. The same clients talk to the
 * real APIs and to the simulators: only `baseUrl` differs (use `PROVIDER_BASE_URLS` for production, or the URLs
 * from `startPriceSimulators` for devnet and tests). Parsing environment variables into this shape is the job of
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
    ? createCoinMarketCapClient({ baseUrl: config.coinmarketcap.baseUrl, apiKey: config.coinmarketcap.apiKey, ...common })
    : null;
  const nobitex = config.nobitex ? createNobitexClient({ baseUrl: config.nobitex.baseUrl, ...common }) : null;
  const all: PriceSource[] = [coingecko, coinmarketcap, nobitex].filter((s): s is NonNullable<typeof s> => s !== null);
  return { coingecko, coinmarketcap, nobitex, all };
}

export interface PriceSimulatorsOptions {
  seed?: number;
  volatility?: number;
  failMode?: Partial<Record<'coingecko' | 'coinmarketcap' | 'nobitex', FailureMode | FailureSpec>>;
  /** Fixed ports (the devnet price-simulators process); default ephemeral. */
  ports?: { coingecko: number; coinmarketcap: number; nobitex: number };
}

export interface PriceSimulators {
  coingecko: CoinGeckoSimulator;
  coinmarketcap: CoinMarketCapSimulator;
  nobitex: NobitexSimulator;
  /** A config pointing every provider at its simulator. */
  config: PriceProvidersConfig;
  close(): Promise<void>;
}

/** Starts the three price simulators on ephemeral localhost ports (devnet mode and tests). */
export async function startPriceSimulators(options: PriceSimulatorsOptions = {}): Promise<PriceSimulators> {
  const base = {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.volatility === undefined ? {} : { volatility: options.volatility }),
  };
  const [coingecko, coinmarketcap, nobitex] = await Promise.all([
    startCoinGeckoSimulator({ ...base, failMode: options.failMode?.coingecko ?? null, port: options.ports?.coingecko ?? 0 }),
    startCoinMarketCapSimulator({ ...base, failMode: options.failMode?.coinmarketcap ?? null, port: options.ports?.coinmarketcap ?? 0 }),
    startNobitexSimulator({ ...base, failMode: options.failMode?.nobitex ?? null, port: options.ports?.nobitex ?? 0 }),
  ]);
  return {
    coingecko,
    coinmarketcap,
    nobitex,
    config: {
      coingecko: { baseUrl: coingecko.url, apiKey: null },
      coinmarketcap: { baseUrl: coinmarketcap.url, apiKey: 'devnet' },
      nobitex: { baseUrl: nobitex.url },
    },
    close: async () => {
      await Promise.all([coingecko.close(), coinmarketcap.close(), nobitex.close()]);
    },
  };
}
