import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { DEVNET_EVM_CHAIN_IDS } from '../../platform/config/chains.js';
import { devnetProcess, loadOrExit } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startDevnetEvm } from './devnet-evm.js';

/**
 * Devnet: the ETH and BSC hardhat nodes on DEVNET_CHAIN_PORT and the next port, each with the USDT-like token
 * deployed and a block every DEVNET_BLOCK_INTERVAL_MS. Never runs in production.
 */
const config = loadOrExit(devnetProcess);
const log = createLogger({ name: 'devnet-evm', level: config.logLevel });
const devnet = config.chains.devnet;
if (config.env === 'production' || devnet === null) {
  log.fatal('the devnet EVM chains never run in production (DEVNET_CHAINS is off)');
  process.exit(1);
}
try {
  const running = await startDevnetEvm({
    ports: { ETH: devnet.ports.ETH, BSC: devnet.ports.BSC },
    chainIds: DEVNET_EVM_CHAIN_IDS,
    blockIntervalMs: devnet.blockIntervalMs,
    log,
  });
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('chains', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'devnet EVM chains could not start');
  process.exit(1);
}
