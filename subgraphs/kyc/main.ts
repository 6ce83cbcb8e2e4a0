import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { kycProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { kycSubgraph } from './app.js';

await runSubgraphMain(kycSubgraph, kycProcess, (config) => config.kyc.port);
