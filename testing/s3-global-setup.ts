import { rmSync } from 'node:fs';
import { startDevS3, type DevS3Server } from '../devnet/s3/s3-server.js';

/**
 * vitest globalSetup: one devnet S3 server (s3rver behind a SigV4-checking front) for the whole run, its data
 * under .tmp/. Each test file gets its own bucket on it (testing/s3.ts). TEST_S3_ENDPOINT and the credentials
 * are inherited by the test workers (forked after global setup).
 */
let server: DevS3Server | null = null;
const dir = `.tmp/s3-test-${process.pid}`;

export async function setup(): Promise<void> {
  server = await startDevS3({ port: 0, dir });
  process.env.TEST_S3_ENDPOINT = server.url;
  process.env.TEST_S3_ACCESS_KEY_ID = server.accessKeyId;
  process.env.TEST_S3_SECRET_ACCESS_KEY = server.secretAccessKey;
}

export async function teardown(): Promise<void> {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
}
