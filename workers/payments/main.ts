import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import 'reflect-metadata';
import { loadOrExit, paymentsWorkerProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { warnDevDefaults } from '../../platform/service/main.js';
import { Shutdown } from '../../platform/shutdown.js';
import { providersFromConfig } from '../../subgraphs/payment/ports.js';
import { startPaymentsWorker } from './payments-worker.js';

const config = loadOrExit(paymentsWorkerProcess);
const log = createLogger({ name: 'payments-worker', level: config.logLevel });
warnDevDefaults(config, log);
try {
  const running = await startPaymentsWorker(
    config,
    log,
    config.port ?? config.paymentsWorker.port,
    providersFromConfig(config, log.child({ component: 'providers' })),
  );
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('payments-worker', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'payments worker could not start');
  process.exit(1);
}
