import { rmSync } from 'node:fs';
import { startAuthorizedNatsServer, type AuthorizedNatsServer } from '../devnet/nats/nats-server.js';

/**
 * vitest globalSetup: one nats-server for the whole run, with the platform's per-service authorization
 * (platform/bus/permissions.ts), so every test's services connect as their own users and a service that
 * oversteps its grants fails in tests as it would in production. Every test file still has its own subject
 * prefix and stream (platform/testing/test-env.ts); the permissions are generated for any one-token prefix
 * ('*.') and any stream ('*'). A client with no credentials (a test's own probe, cleanup, or forged input)
 * is the harness user, which may do anything; services always log in.
 */
export const TEST_HARNESS_USER = 'test-harness';
let server: AuthorizedNatsServer | null = null;
const dir = `.tmp/nats-test-${process.pid}`;

export async function setup(): Promise<void> {
  server = await startAuthorizedNatsServer({
    port: 0,
    dir,
    subjectPrefix: '*.',
    stream: '*',
    harnessUser: { name: TEST_HARNESS_USER, password: `harness-${process.pid}-${Date.now()}` },
  });
  // Inherited by the test workers (forked after global setup).
  process.env.NATS_URL = server.url;
}

export async function teardown(): Promise<void> {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
