import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { loadOrExit, voucherSimulatorsProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startVoucherSimulators } from './voucher-simulators.js';

/**
 * Devnet only: the voucher simulators (uWallet reseller REST, Utopia JSON API, Perfect Money e-voucher pages) on
 * UWALLET_SIMULATOR_PORT, UTOPIA_SIMULATOR_PORT and PERFECT_MONEY_SIMULATOR_PORT, accepting the configured
 * dev credentials. Issue a code to redeem with
 * `curl -XPOST localhost:4297/_devnet/issue -d '{"coin":"HotVoucher","amount":"1000000"}'`.
 */
const config = loadOrExit(voucherSimulatorsProcess);
const log = createLogger({ name: 'voucher-simulators', level: config.logLevel });
if (config.env === 'production' || config.voucherProviders.simulatorPorts === null) {
  log.fatal('the voucher simulators are for development only (VOUCHER_SIMULATORS is off)');
  process.exit(1);
}
try {
  const sims = await startVoucherSimulators(config.voucherProviders);
  log.info(
    { uwallet: sims.uwallet.url, utopia: sims.utopia.url, perfectMoney: sims.perfectMoney.url },
    'voucher simulators listening',
  );
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('simulators', () => sims.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'voucher simulators could not start');
  process.exit(1);
}
