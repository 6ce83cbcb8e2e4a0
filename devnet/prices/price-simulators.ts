import type { PriceProvidersConfig } from '../../providers/prices.config.js';
import type { FailureMode, FailureSpec } from '../http/simulator.failures.js';
import { startCoinGeckoSimulator, type CoinGeckoSimulator } from './coingecko.simulator.js';
import { startCoinMarketCapSimulator, type CoinMarketCapSimulator } from './coinmarketcap.simulator.js';
import { startNobitexSimulator, type NobitexSimulator } from './nobitex.simulator.js';

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
    startCoinGeckoSimulator({
      ...base,
      failMode: options.failMode?.coingecko ?? null,
      port: options.ports?.coingecko ?? 0,
    }),
    startCoinMarketCapSimulator({
      ...base,
      failMode: options.failMode?.coinmarketcap ?? null,
      port: options.ports?.coinmarketcap ?? 0,
    }),
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
