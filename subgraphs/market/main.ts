import { runSubgraphMain } from '../../platform/service/main.js';
import { marketSubgraph } from './app.js';

await runSubgraphMain(marketSubgraph, (config) => config.market.port);
