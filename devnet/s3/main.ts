import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { loadOrExit, s3DevnetProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { Shutdown } from '../../platform/shutdown.js';
import { createS3ObjectStore } from '../../platform/storage/s3.object-store.js';
import { startDevS3 } from './s3-server.js';

/**
 * Devnet only: the local S3-compatible server on S3_DEVNET_PORT (objects under .tmp/s3), accepting the storage
 * section's credentials, with the S3_BUCKET bucket created (private). Logs its address, never a key or a URL.
 */
const config = loadOrExit(s3DevnetProcess);
const log = createLogger({ name: 's3-devnet', level: config.logLevel });
const port = config.storage.devnetPort;
if (config.env === 'production' || port === null) {
  log.fatal('the devnet S3 server is for development only (S3_DEVNET is off)');
  process.exit(1);
}
try {
  const server = await startDevS3({
    port,
    dir: '.tmp/s3',
    accessKeyId: config.storage.accessKeyId,
    secretAccessKey: config.storage.secretAccessKey,
  });
  const store = createS3ObjectStore({ ...config.storage, endpoint: server.url, forcePathStyle: true });
  await store.ensureBucket();
  store.close();
  log.info({ url: server.url, bucket: config.storage.bucket }, 'devnet S3 server listening');
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('s3', () => server.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'devnet S3 server could not start');
  process.exit(1);
}
