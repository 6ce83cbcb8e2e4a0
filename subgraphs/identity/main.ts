import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { identityProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { identitySubgraph } from './app.js';

await runSubgraphMain(identitySubgraph, identityProcess, (config) => config.identity.port);
