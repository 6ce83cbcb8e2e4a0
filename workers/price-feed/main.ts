import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import 'reflect-metadata';
import { loadOrExit, priceFeedProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { warnDevDefaults } from '../../platform/service/main.js';
import { exitIfEnginesDown } from '../../platform/service/engines.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startPriceFeedWorker } from './feed-worker.js';

const config = loadOrExit(priceFeedProcess);
const log = createLogger({ name: 'price-feed', level: config.logLevel });
warnDevDefaults(config, log);
await exitIfEnginesDown(config);
try {
  const running = await startPriceFeedWorker(config, log, config.port ?? config.priceFeed.port);
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('price-feed', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'price feed could not start');
  process.exit(1);
}
