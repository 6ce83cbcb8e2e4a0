import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { botProcess, loadOrExit } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { warnDevDefaults } from '../../platform/service/main.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startBot } from './app.js';

/** The Telegram bot process (npm start runs it as `bot`; BOT_MODE=polling against the simulator by default). */
const config = loadOrExit(botProcess);
const log = createLogger({ name: 'bot', level: config.logLevel });
warnDevDefaults(config, log);
try {
  const running = await startBot(config, log);
  log.info({ health: `${running.url}/health`, mode: config.bot.mode }, 'bot running');
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('bot', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'bot could not start');
  process.exit(1);
}
