import { defineProcess, port, section, type ConfigOf } from '../env.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { prices } from '../prices.js';
import { subgraphSections } from './subgraph.js';

/** The market subgraph: assets, prices (refreshed from the providers on demand), candles. */
const market = section({ MARKET_PORT: port.default(SERVICE_PORT_VARIABLES.market[1]) }, (e) => ({
  port: e.MARKET_PORT,
}));

export const marketProcess = defineProcess('market', { ...subgraphSections, market, prices });
export type MarketConfig = ConfigOf<typeof marketProcess>;
