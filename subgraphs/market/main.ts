import { marketProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { marketSubgraph } from './app.js';

await runSubgraphMain(marketSubgraph, marketProcess, (config) => config.market.port);
