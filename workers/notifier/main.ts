import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import 'reflect-metadata';
import { loadOrExit, notifierProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { warnDevDefaults } from '../../platform/service/main.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startNotifier } from './notifier.worker.js';

const config = loadOrExit(notifierProcess);
const log = createLogger({ name: 'notifier', level: config.logLevel });
warnDevDefaults(config, log);
try {
  const running = await startNotifier(config, log, config.port ?? config.notifier.port);
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('notifier', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'notifier could not start');
  process.exit(1);
}
