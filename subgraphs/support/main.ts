import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { supportProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { supportSubgraph } from './app.js';

await runSubgraphMain(supportSubgraph, supportProcess, (config) => config.support.port);
