import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import 'reflect-metadata';
import { loadOrExit, outboxRelayProcess } from '../../platform/config/config.js';
import { OUTBOX_SCHEMAS } from '../../platform/bus/outbox.js';
import { createLogger } from '../../platform/logger.js';
import { warnDevDefaults } from '../../platform/service/main.js';
import { exitIfEnginesDown } from '../../platform/service/engines.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startOutboxRelayWorker } from './relay-worker.js';

const config = loadOrExit(outboxRelayProcess);
const log = createLogger({ name: 'outbox-relay', level: config.logLevel });
warnDevDefaults(config, log);
await exitIfEnginesDown(config, ['PostgreSQL', 'NATS']);
// `--schema wallet` (repeatable) drains only those schemas: one relay per domain, each with its own credentials.
const chosen = process.argv.flatMap((arg, i, all) => (all[i - 1] === '--schema' ? [arg] : []));
const unknown = chosen.filter((schema) => !OUTBOX_SCHEMAS.includes(schema));
if (unknown.length) {
  process.stderr.write(`unknown outbox schema ${unknown.join(', ')} (known: ${OUTBOX_SCHEMAS.join(', ')})\n`);
  process.exit(1);
}
try {
  const running = await startOutboxRelayWorker(
    config,
    log,
    chosen.length ? chosen : OUTBOX_SCHEMAS,
    config.port ?? config.outbox.port,
  );
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('relay', () => running.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'outbox relay could not start');
  process.exit(1);
}
