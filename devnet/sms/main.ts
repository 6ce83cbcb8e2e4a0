import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { loadOrExit, smsSimulatorProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startSmsSimulator } from './sms.simulator.js';

/**
 * Devnet only: the SMS simulator (Kavenegar verify/lookup and sms.ir send/verify) on SMS_SIMULATOR_PORT, where
 * the dev config points both providers. It accepts the configured keys and templates; read a code sent to a
 * number with `curl 'http://127.0.0.1:4293/_devnet/messages?receptor=09121234567'`.
 */
const config = loadOrExit(smsSimulatorProcess);
const log = createLogger({ name: 'sms-simulator', level: config.logLevel });
const port = config.sms.simulatorPort;
if (config.env === 'production' || port === null) {
  log.fatal('the SMS simulator is for development only (SMS_SIMULATOR is off)');
  process.exit(1);
}
try {
  const { kavenegar, smsir } = config.sms;
  const sim = await startSmsSimulator({
    port,
    ...(kavenegar ? { kavenegar: { apiKeys: [kavenegar.apiKey], templates: [kavenegar.template] } } : {}),
    ...(smsir ? { smsir: { apiKeys: [smsir.apiKey], templates: { [smsir.templateId]: [smsir.parameterName] } } } : {}),
  });
  log.info({ url: sim.url, lastCode: `${sim.url}/_devnet/messages?receptor=<phone>` }, 'SMS simulator listening');
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('simulator', () => sim.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'SMS simulator could not start');
  process.exit(1);
}
