import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { marketProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { marketSubgraph } from './app.js';

await runSubgraphMain(marketSubgraph, marketProcess, (config) => config.market.port);
