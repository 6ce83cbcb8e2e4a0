import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kycProcess } from '../config/processes/kyc.js';
import { createTestEnv, type TestEnv } from '../../testing/test-env.js';
import { kycSubgraph } from '../../subgraphs/kyc/app.js';
import { startSubgraph } from './subgraph.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.cleanup();
});

describe('a subgraph process on shutdown', () => {
  it('answers /ready 503 for SHUTDOWN_UNREADY_MS while still serving, then stops accepting', async () => {
    const config = kycProcess.load({ ...env.vars, SHUTDOWN_UNREADY_MS: '1500' });
    const running = await startSubgraph(kycSubgraph, config, env.log, 0);
    const base = running.url.replace('/graphql', '');
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', service: 'kyc' });

    const closed = running.close();
    const draining = await fetch(`${base}/ready`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'unready', service: 'kyc', reason: 'draining' });
    // still serving meanwhile: liveness and the dependency report answer as before
    expect((await fetch(`${base}/live`)).status).toBe(200);
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'healthy', service: 'kyc' });
    await closed;
    await expect(fetch(`${base}/ready`)).rejects.toThrow();
  });
});
