import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import 'reflect-metadata';
import { loadOrExit, treasuryProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { warnDevDefaults } from '../../platform/service/main.js';
import { exitIfEnginesDown } from '../../platform/service/engines.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startTreasuryWorker } from './treasury.worker.js';

const config = loadOrExit(treasuryProcess);
const log = createLogger({ name: 'treasury', level: config.logLevel });
warnDevDefaults(config, log);
await exitIfEnginesDown(config);
try {
  const running = await startTreasuryWorker(config, log, config.port ?? config.treasury.port);
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('treasury', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'treasury worker could not start');
  process.exit(1);
}
