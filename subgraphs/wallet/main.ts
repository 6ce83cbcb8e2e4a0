import { runSubgraphMain } from '../../platform/service/main.js';
import { walletSubgraph } from './app.js';

await runSubgraphMain(walletSubgraph, (config) => config.wallet.port);
