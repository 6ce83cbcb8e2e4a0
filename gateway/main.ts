import '../platform/telemetry/register.js'; // first: tracing patches modules as they load
import 'reflect-metadata';
import { gatewayProcess, loadOrExit } from '../platform/config/config.js';
import { createLogger } from '../platform/logger.js';
import { warnDevDefaults } from '../platform/service/main.js';
import { exitIfEnginesDown } from '../platform/service/engines.js';
import { Shutdown } from '../platform/shutdown.js';
import { startGateway } from './app.js';

const config = loadOrExit(gatewayProcess);
const log = createLogger({ name: 'gateway', level: config.logLevel });
warnDevDefaults(config, log);
await exitIfEnginesDown(config, ['Redis', 'NATS']);
try {
  const gateway = await startGateway({ config, log, port: config.port ?? config.gateway.port });
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('gateway', () => gateway.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'gateway could not start');
  process.exit(1);
}
