import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { voucherProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { voucherSubgraph } from './app.js';

await runSubgraphMain(voucherSubgraph, voucherProcess, (config) => config.voucher.port);
