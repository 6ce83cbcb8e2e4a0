import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { ledgerProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { ledgerSubgraph } from './app.js';

await runSubgraphMain(ledgerSubgraph, ledgerProcess, (config) => config.ledger.port);
