import { ledgerProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { ledgerSubgraph } from './app.js';

await runSubgraphMain(ledgerSubgraph, ledgerProcess, (config) => config.ledger.port);
