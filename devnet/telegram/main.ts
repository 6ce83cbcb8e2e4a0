import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { loadOrExit, telegramSimulatorProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startTelegramSimulator } from './telegram.simulator.js';

/**
 * Devnet only: the Telegram Bot API simulator on TELEGRAM_SIMULATOR_PORT, where the dev config points bots. Read
 * what the staff chat got with `curl 'http://127.0.0.1:4287/_devnet/messages?chat_id=-1001000000001'`.
 */
const config = loadOrExit(telegramSimulatorProcess);
const log = createLogger({ name: 'telegram-simulator', level: config.logLevel });
const port = config.telegramBotApi.simulatorPort;
if (config.env === 'production' || port === null) {
  log.fatal('the Telegram simulator is for development only (TELEGRAM_SIMULATOR is off)');
  process.exit(1);
}
try {
  const sim = await startTelegramSimulator({ port });
  log.info(
    { url: sim.url, messages: `${sim.url}/_devnet/messages?chat_id=<chat>` },
    'Telegram Bot API simulator listening',
  );
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('simulator', () => sim.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'Telegram simulator could not start');
  process.exit(1);
}
