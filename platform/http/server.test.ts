import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { SERVICE_VERSION } from './health.js';
import { Metrics } from './metrics.js';
import { Readiness } from './readiness.js';
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

  it('reports unhealthy (503) in the spec shape when a dependency is down, with the error in details', async () => {
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
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['dependencies', 'details', 'service', 'status', 'uptime', 'version']);
    expect(body).toMatchObject({
      status: 'unhealthy',
      service: 'health-test',
      version: SERVICE_VERSION,
      dependencies: { database: 'healthy', redis: 'unhealthy' },
      details: { redis: { error: 'connection refused' } },
    });
    expect(Number.isInteger(body.uptime)).toBe(true);
    expect((await fetch(`${running.url}/ready`)).status).toBe(503);
    expect((await fetch(`${running.url}/live`)).status).toBe(200);
    await running.close();
  });

  it('reports healthy (200) with the version of package.json and the uptime in seconds', async () => {
    const running = await listen(server({ database: async () => undefined }), 0, '127.0.0.1');
    const res = await fetch(`${running.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: string; uptime: number; dependencies: object };
    expect(body).toMatchObject({ status: 'healthy', dependencies: { database: 'healthy' } });
    expect(body.version).toBe(
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version,
    );
    expect(body.uptime).toBeGreaterThanOrEqual(Math.floor(process.uptime()) - 1);
    await running.close();
  });

  it('is ready once listening, and answers /ready 503 (still live) while it drains', async () => {
    const running = await listen(server({ database: async () => undefined }), 0, '127.0.0.1');
    expect(await (await fetch(`${running.url}/ready`)).json()).toEqual({ status: 'ready', service: 'probe-test' });
    const closed = running.close(5000, 400);
    const draining = await fetch(`${running.url}/ready`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'unready', service: 'probe-test', reason: 'draining' });
    expect((await fetch(`${running.url}/live`)).status).toBe(200);
    await closed;
    await expect(fetch(`${running.url}/live`)).rejects.toThrow();
  });

  it('labels request metrics by method, route path and status: an unknown URL is "unmatched", never the raw path', async () => {
    const metrics = new Metrics('label-test');
    const running = await listen(
      createHttpServer({
        service: 'label-test',
        log: createLogger({ name: 'test', level: 'silent' }),
        metrics,
        health: {},
        routes: { '/graphql': (_req, res) => sendJson(res, 200, {}) },
      }),
      0,
      '127.0.0.1',
    );
    await fetch(`${running.url}/graphql`, { method: 'POST' });
    await fetch(`${running.url}/users/usr_123`);
    const text = await (await fetch(`${running.url}/metrics`)).text();
    expect(text).toContain('http_requests_total{method="POST",path="/graphql",status="200",service="label-test"} 1');
    expect(text).toContain('http_requests_total{method="GET",path="unmatched",status="404",service="label-test"} 1');
    expect(text).toContain('http_request_duration_seconds_count{service="label-test",method="POST",path="/graphql"} 1');
    expect(text).not.toContain('usr_123');
    await running.close();
  });

  it('on a public port: only the routes and a bare /health from readiness; no /metrics, /ready or dependency detail', async () => {
    const readiness = new Readiness();
    const running = await listen(
      createHttpServer({
        service: 'public-test',
        log: createLogger({ name: 'test', level: 'silent' }),
        metrics: new Metrics('public-test'),
        health: {
          redis: async () => {
            throw new Error('down');
          },
        },
        routes: {},
        exposure: 'public',
        readiness,
      }),
      0,
      '127.0.0.1',
    );
    const health = await fetch(`${running.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy' });
    for (const path of ['/metrics', '/ready', '/live']) expect((await fetch(`${running.url}${path}`)).status).toBe(404);
    readiness.markDraining();
    expect(await (await fetch(`${running.url}/health`)).json()).toEqual({ status: 'unhealthy' });
    await running.close();
  });
});

function server(health: Record<string, () => Promise<void>>) {
  return createHttpServer({
    service: 'probe-test',
    log: createLogger({ name: 'test', level: 'silent' }),
    metrics: new Metrics('probe-test'),
    health,
    routes: {},
  });
}
