import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { devnetProcess, loadOrExit } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startDevnetChains } from './chains.server.js';
import { DEVNET_CHAIN_PORTS } from './ports.js';

/**
 * Devnet: the TronGrid and toncenter simulators on DEVNET_TRON_PORT and DEVNET_TON_PORT (the ports the watchers and
 * `devnet:send` are configured with; defaults in ports.ts), producing blocks (TRON every 3 s, TON every 5 s), each
 * with GET /health and POST /devnet/faucet|mine|reorg. Never runs in production.
 */
const config = loadOrExit(devnetProcess);
const log = createLogger({ name: 'devnet-chains', level: config.logLevel });
if (config.env === 'production') {
  log.fatal('the devnet chain simulators never run in production');
  process.exit(1);
}
// The configured ports (what the watchers and devnet:send point at); with DEVNET_CHAINS off nothing points here: the defaults.
const devnetPorts = config.chains.devnet?.ports;
const ports = devnetPorts ? { tron: devnetPorts.TRON, ton: devnetPorts.TON } : DEVNET_CHAIN_PORTS;
try {
  const chains = await startDevnetChains({ host: config.host, ports, log });
  log.info(
    {
      tron: chains.urls.tron,
      ton: chains.urls.ton,
      tronFaucet: chains.tron.faucetAddress,
      tonFaucet: chains.ton.faucetAddress,
    },
    'devnet chain simulators listening',
  );
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('chains', () => chains.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'devnet chain simulators could not start');
  process.exit(1);
}
