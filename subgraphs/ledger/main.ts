import { runSubgraphMain } from '../../platform/service/main.js';
import { ledgerSubgraph } from './app.js';

await runSubgraphMain(ledgerSubgraph, (config) => config.ledger.port);
