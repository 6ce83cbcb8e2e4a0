import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import 'reflect-metadata';
import { chainWatcherProcess, loadOrExit } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { isNetwork } from '../../chains/network.js';
import { exitIfEnginesDown } from '../../platform/service/engines.js';
import { warnDevDefaults } from '../../platform/service/main.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startChainWatcherWorker } from './core/watcher.worker.js';

/** One network's deposit watcher: `tsx workers/chain-watchers/main.ts --network ETH|BSC|TRON|TON`. */
const config = loadOrExit(chainWatcherProcess);
const flag = process.argv.indexOf('--network');
const network = flag >= 0 ? process.argv[flag + 1] : undefined;
const log = createLogger({ name: `chain-watcher-${network?.toLowerCase() ?? 'unknown'}`, level: config.logLevel });
if (!network || !isNetwork(network)) {
  log.fatal({ network }, 'usage: workers/chain-watchers/main.ts --network ETH|BSC|TRON|TON');
  process.exit(2);
}
warnDevDefaults(config, log);
await exitIfEnginesDown(config);
try {
  const running = await startChainWatcherWorker(
    config,
    log,
    network,
    config.port !== null ? { port: config.port } : {},
  );
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('watcher', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'chain watcher could not start');
  process.exit(1);
}
