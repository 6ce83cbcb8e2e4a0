import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import 'reflect-metadata';
import { loadOrExit, withdrawalBroadcasterProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { exitIfEnginesDown } from '../../platform/service/engines.js';
import { warnDevDefaults } from '../../platform/service/main.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startWithdrawalBroadcaster } from './broadcaster.worker.js';

const config = loadOrExit(withdrawalBroadcasterProcess);
const log = createLogger({ name: 'withdrawal-broadcaster', level: config.logLevel });
warnDevDefaults(config, log);
await exitIfEnginesDown(config);
try {
  const running = await startWithdrawalBroadcaster(config, log, config.port ?? config.broadcaster.port);
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('withdrawal-broadcaster', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'withdrawal broadcaster could not start');
  process.exit(1);
}
