import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { walletProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { walletSubgraph } from './app.js';

await runSubgraphMain(walletSubgraph, walletProcess, (config) => config.wallet.port);
