import { defineProcess, type ConfigOf } from '../env.js';
import { prices } from '../prices.js';

/** Devnet only: the CoinGecko, CoinMarketCap and Nobitex simulators on PRICE_SIMULATOR_PORT and the next two. */
export const priceSimulatorsProcess = defineProcess('price-simulators', { prices });
export type PriceSimulatorsConfig = ConfigOf<typeof priceSimulatorsProcess>;
