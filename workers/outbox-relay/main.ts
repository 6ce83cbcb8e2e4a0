import 'reflect-metadata';
import { loadOrExit, outboxRelayProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { warnDevDefaults } from '../../platform/service/main.js';
import { Shutdown } from '../../platform/shutdown.js';
import { outboxSchemas } from '../../subgraphs/registry.js';
import { startOutboxRelayWorker } from './relay-worker.js';

const config = loadOrExit(outboxRelayProcess);
const log = createLogger({ name: 'outbox-relay', level: config.logLevel });
warnDevDefaults(config, log);
try {
  const running = await startOutboxRelayWorker(config, log, outboxSchemas, config.port ?? config.outbox.port);
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('relay', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'outbox relay could not start');
  process.exit(1);
}
