import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { paymentProcess } from '../../platform/config/config.js';
import { runSubgraphMain } from '../../platform/service/main.js';
import { paymentSubgraph } from './app.js';

await runSubgraphMain(paymentSubgraph, paymentProcess, (config) => config.payment.port);
