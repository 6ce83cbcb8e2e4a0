import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { loadOrExit, paystarSimulatorProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startPaystarSimulator } from './paystar.simulator.js';

/**
 * Devnet only: the Paystar IPG simulator on PAYSTAR_SIMULATOR_PORT, where the dev config points the payment
 * service. It accepts the configured gateway id and sign key; the browser pays at `…/api/pardakht/payment?token=`,
 * and `GET /_devnet/payments` lists the payments.
 */
const config = loadOrExit(paystarSimulatorProcess);
const log = createLogger({ name: 'paystar-simulator', level: config.logLevel });
const port = config.paystar.simulatorPort;
if (config.env === 'production' || port === null) {
  log.fatal('the Paystar simulator is for development only (PAYSTAR_SIMULATOR is off)');
  process.exit(1);
}
try {
  const sim = await startPaystarSimulator({
    port,
    gateways: { [config.paystar.gatewayId]: config.paystar.signKey },
  });
  log.info({ url: sim.apiBaseUrl, payments: `${sim.url}/_devnet/payments` }, 'Paystar simulator listening');
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('simulator', () => sim.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'Paystar simulator could not start');
  process.exit(1);
}
