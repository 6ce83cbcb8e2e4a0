import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { Metrics } from './metrics.js';
import { createHttpServer, listen, sendJson } from './server.js';

describe('http server', () => {
  it('drains on close: the in-flight request finishes, new connections are refused', async () => {
    const server = createHttpServer({
      service: 'drain-test',
      log: createLogger({ name: 'test', level: 'silent' }),
      metrics: new Metrics('drain-test'),
      health: {},
      routes: {
        '/slow': async (_req, res) => {
          await new Promise((r) => setTimeout(r, 400));
          sendJson(res, 200, { ok: true });
        },
      },
    });
    const running = await listen(server, 0, '127.0.0.1');
    const inFlight = fetch(`${running.url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 100));
    const closed = running.close(5000);
    await expect(fetch(`${running.url}/slow`)).rejects.toThrow();
    expect(await inFlight).toEqual({ status: 200, body: { ok: true } });
    await closed;
  });

  it('reports degraded health (503) when a dependency is down', async () => {
    const server = createHttpServer({
      service: 'health-test',
      log: createLogger({ name: 'test', level: 'silent' }),
      metrics: new Metrics('health-test'),
      health: {
        database: async () => undefined,
        redis: async () => {
          throw new Error('connection refused');
        },
      },
      routes: {},
    });
    const running = await listen(server, 0, '127.0.0.1');
    const res = await fetch(`${running.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'degraded',
      checks: { database: { status: 'up' }, redis: { status: 'down', error: 'connection refused' } },
    });
    await running.close();
  });
});
