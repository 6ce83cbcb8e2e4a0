import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { finnotechSimulatorProcess, loadOrExit } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startFinnotechSimulator } from './finnotech.simulator.js';

/**
 * Devnet only: the FinnoTech banking API simulator on FINNOTECH_SIMULATOR_PORT, where the dev config points the
 * payment service and its workers. It accepts the configured client id, secret, deposit, bank and statement refresh
 * token. Add an incoming credit with `curl -XPOST …/_devnet/credits -d '{"kind":"paya","amountToman":"50000",
 * "depositId":"…"}'`; `GET /_devnet/transfers` lists the payouts.
 */
const config = loadOrExit(finnotechSimulatorProcess);
const log = createLogger({ name: 'finnotech-simulator', level: config.logLevel });
const { finnotech } = config;
const port = finnotech.simulatorPort;
if (config.env === 'production' || port === null) {
  log.fatal('the FinnoTech simulator is for development only (FINNOTECH_SIMULATOR is off)');
  process.exit(1);
}
try {
  const sim = await startFinnotechSimulator({
    port,
    clientId: finnotech.clientId,
    clientSecret: finnotech.clientSecret,
    deposit: finnotech.sourceDeposit,
    ...(finnotech.statement
      ? { bank: finnotech.statement.bank, statementRefreshToken: finnotech.statement.refreshToken }
      : {}),
  });
  log.info({ url: sim.url, transfers: `${sim.url}/_devnet/transfers` }, 'FinnoTech simulator listening');
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('simulator', () => sim.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'FinnoTech simulator could not start');
  process.exit(1);
}
