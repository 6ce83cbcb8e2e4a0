import { startAuthorizedNatsServer } from '../devnet/nats/nats-server.js';
import { loadOrExit, migrateProcess } from '../platform/config/config.js';

/**
 * npm run nats:dev: the authorized dev nats-server `npm start` runs, on its own (NATS_DEV_PORT, default
 * 4223), for running single services against it: NATS_URL=nats://127.0.0.1:4223 npm run start:ledger.
 */
const config = loadOrExit(migrateProcess);
const server = await startAuthorizedNatsServer({
  port: config.nats.devServerPort,
  dir: `.tmp/nats-dev-${config.nats.devServerPort}`,
  subjectPrefix: config.nats.subjectPrefix,
  stream: config.nats.stream,
  onLog: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`\n  dev nats-server on ${server.url} (config ${server.configFile}); Ctrl-C stops it\n\n`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
