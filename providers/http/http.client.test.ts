import { getEventListeners } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { buildUrl, createHttpClient, type HttpClientOptions } from './http.client.js';
import {
  ProviderNetworkError,
  ProviderParseError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from './http.errors.js';
import { JsonNumber } from './json-lossless.parser.js';
import {
  readRequestBody,
  sendJson,
  startSimulatorServer,
  type SimulatorServer,
} from '../../devnet/http/simulator.server.js';

type Step = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const ok: Step = (_req, res) => sendJson(res, 200, { ok: true });
const fail500: Step = (_req, res) => sendJson(res, 500, { error: 'boom' });
const hang: Step = () => undefined;

/** A server that plays `steps` in order (the last one repeats) and records every request. */
async function scripted(steps: Step[]) {
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  const server = await startSimulatorServer(async (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: await readRequestBody(req) });
    const step = steps[Math.min(seen.length - 1, steps.length - 1)] ?? ok;
    await step(req, res);
  });
  servers.push(server);
  return { server, seen };
}

const servers: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const fast = (url: string, extra: Partial<HttpClientOptions> = {}) =>
  createHttpClient({
    name: 'test',
    baseUrl: url,
    timeoutMs: 2_000,
    retries: 2,
    backoff: { initialMs: 10, maxMs: 40 },
    breaker: false,
    ...extra,
  });

describe('buildUrl', () => {
  it('joins base path and request path with one slash and encodes the query', () => {
    expect(
      buildUrl('https://x.test/api/v3/', '/simple/price', {
        ids: ['a', 'b'],
        n: 1,
        flag: true,
        skip: undefined,
        none: null,
      }),
    ).toBe('https://x.test/api/v3/simple/price?ids=a%2Cb&n=1&flag=true');
    expect(buildUrl('https://x.test/rpc', '')).toBe('https://x.test/rpc');
  });
});

describe('createHttpClient', () => {
  it('returns status, raw text and parsed JSON, with client and request headers', async () => {
    const { server, seen } = await scripted([(_req, res) => sendJson(res, 200, '{"price":0.00001234}')]);
    const client = fast(server.url, { headers: { 'x-api-key': 'k1', 'user-agent': 'ua' } });
    const res = await client.get<{ price: number }>('/p', { query: { a: 'b' }, headers: { 'user-agent': 'override' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"price":0.00001234}');
    expect(res.data.price).toBe(0.00001234);
    expect(seen[0]?.url).toBe('/p?a=b');
    expect(seen[0]?.headers['x-api-key']).toBe('k1');
    expect(seen[0]?.headers['user-agent']).toBe('override');
  });

  it('parses in lossless mode, keeping exact number text', async () => {
    const { server } = await scripted([
      (_req, res) => sendJson(res, 200, '{"p":1.2e-7,"big":123456789012345678901234567890}'),
    ]);
    const res = await fast(server.url).get('/p', { parse: 'lossless' });
    expect(res.data).toEqual({ p: new JsonNumber('1.2e-7'), big: new JsonNumber('123456789012345678901234567890') });
  });

  it('retries a 500 with back-off and then succeeds', async () => {
    const { server, seen } = await scripted([fail500, fail500, ok]);
    const res = await fast(server.url).get('/x');
    expect(res.data).toEqual({ ok: true });
    expect(seen).toHaveLength(3);
  });

  it('waits the platform back-off between retries (×2 per retry, equal jitter) and logs each retry', async () => {
    const { server } = await scripted([fail500, fail500, ok]);
    const lines: Array<{ msg: string; attempt: number; delayMs: number }> = [];
    const log = pino(
      new Writable({
        write: (chunk: Buffer, _enc, done) => (
          lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]),
          done()
        ),
      }),
    );
    await fast(server.url, { backoff: { initialMs: 40, maxMs: 1_000 }, log }).get('/x');
    const retries = lines.filter((l) => l.msg === 'retrying provider call');
    expect(retries.map((l) => l.attempt)).toEqual([1, 2]);
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(20);
    expect(retries[0]!.delayMs).toBeLessThanOrEqual(40);
    expect(retries[1]!.delayMs).toBeGreaterThanOrEqual(40);
    expect(retries[1]!.delayMs).toBeLessThanOrEqual(80);
  });

  it('gives up after the configured retries with ProviderResponseError(status, bodySnippet)', async () => {
    const { server, seen } = await scripted([fail500]);
    const error = await fast(server.url, { retries: 1 })
      .get('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as ProviderResponseError).status).toBe(500);
    expect((error as ProviderResponseError).bodySnippet).toBe('{"error":"boom"}');
    expect(seen).toHaveLength(2);
  });

  it('does not retry a 4xx', async () => {
    const { server, seen } = await scripted([(_req, res) => sendJson(res, 401, { error: 'bad key' })]);
    await expect(fast(server.url).get('/x')).rejects.toMatchObject({ status: 401, code: 'PROVIDER_RESPONSE' });
    expect(seen).toHaveLength(1);
  });

  it('does not retry a POST unless it is marked idempotent', async () => {
    const { server, seen } = await scripted([fail500, ok]);
    const client = fast(server.url);
    await expect(client.post('/rpc', { id: 1 })).rejects.toBeInstanceOf(ProviderResponseError);
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ id: 1 });
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    const res = await client.post('/rpc', { id: 2 }, { idempotent: true });
    expect(res.data).toEqual({ ok: true });
  });

  it('turns a hung request into ProviderTimeoutError', async () => {
    const { server, seen } = await scripted([hang]);
    const error = await fast(server.url, { timeoutMs: 150, retries: 1 })
      .get('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect((error as ProviderTimeoutError).timeoutMs).toBe(150);
    expect(seen).toHaveLength(2); // timeouts are retried
  });

  it('reports a refused connection as ProviderNetworkError', async () => {
    const { server } = await scripted([ok]);
    const url = server.url;
    await server.close();
    await expect(fast(url, { retries: 0 }).get('/x')).rejects.toBeInstanceOf(ProviderNetworkError);
  });

  it('reports malformed JSON as ProviderParseError without retrying', async () => {
    const { server, seen } = await scripted([(_req, res) => sendJson(res, 200, '{"price": 1.5,')]);
    const error = await fast(server.url)
      .get('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderParseError);
    expect((error as ProviderParseError).bodySnippet).toBe('{"price": 1.5,');
    expect(seen).toHaveLength(1);
    await expect(fast(server.url).get('/x', { parse: 'lossless' })).rejects.toBeInstanceOf(ProviderParseError);
  });

  it('propagates the caller abort without retrying', async () => {
    const { server, seen } = await scripted([hang]);
    const controller = new AbortController();
    const pending = fast(server.url).get('/x', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    await expect(pending).rejects.toThrow('caller gave up');
    expect(seen).toHaveLength(1);
  });
});

describe('decode and signals', () => {
  it('returns what decode returns, and counts a decode ProviderParseError against the circuit', async () => {
    const { server } = await scripted([(_req, res) => sendJson(res, 200, '{"n":1}')]);
    const client = fast(server.url, {
      retries: 0,
      breaker: { kind: 'consecutive', failures: 2, halfOpenAfterMs: 10_000 },
    });
    const res = await client.get('/x', { decode: (data) => (data as { n: number }).n + 1 });
    expect(res.data).toBe(2);
    const reject = (): never => {
      throw new ProviderParseError('test', 'wrong shape', '');
    };
    await expect(client.get('/x', { decode: reject })).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.get('/x', { decode: reject })).rejects.toBeInstanceOf(ProviderParseError);
    expect(client.circuitState()).toBe('open');
  });

  it('leaves no listeners on a long-lived caller signal', async () => {
    const { server } = await scripted([ok]);
    const client = fast(server.url);
    const shutdown = new AbortController();
    for (let i = 0; i < 20; i += 1) await client.get('/x', { signal: shutdown.signal });
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });
});

describe('rate-limit back-off', () => {
  it('refuses a 429 with Retry-After seconds and keeps refusing, without calling, until it passes', async () => {
    const { server, seen } = await scripted([
      (_req, res) => sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' }),
      ok,
    ]);
    const client = fast(server.url);
    const first = await client.get('/x').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ProviderRateLimitedError);
    expect((first as ProviderRateLimitedError).retryAfterMs).toBe(1_000);
    expect(client.rateLimitedForMs()).toBeGreaterThan(0);

    const second = await client.get('/x').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ProviderRateLimitedError);
    expect((second as ProviderRateLimitedError).retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(seen).toHaveLength(1); // refused locally

    await new Promise((r) => setTimeout(r, client.rateLimitedForMs() + 20));
    expect(client.rateLimitedForMs()).toBe(0);
    await expect(client.get('/x')).resolves.toMatchObject({ data: { ok: true } });
    expect(seen).toHaveLength(2);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const { server } = await scripted([(_req, res) => sendJson(res, 429, {}, { 'retry-after': at })]);
    const error = (await fast(server.url)
      .get('/x')
      .catch((e: unknown) => e)) as ProviderRateLimitedError;
    expect(error).toBeInstanceOf(ProviderRateLimitedError);
    expect(error.retryAfterMs).toBeGreaterThan(50_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('waits out a short back-off read from the body by a provider hook, then retries', async () => {
    const { server, seen } = await scripted([
      (_req, res) => sendJson(res, 429, { status: 'failed', backOff: 0.2 }),
      ok,
    ]);
    const client = fast(server.url, {
      rateLimit: {
        maxWaitMs: 1_000,
        retryAfterFromResponse: ({ status, text }) =>
          status === 429 ? (JSON.parse(text) as { backOff: number }).backOff * 1000 : null,
      },
    });
    const started = Date.now();
    const res = await client.get('/x');
    expect(res.data).toEqual({ ok: true });
    expect(seen).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('uses the default back-off for a bare 429 and does not open the circuit', async () => {
    const { server } = await scripted([(_req, res) => sendJson(res, 429, {})]);
    const client = fast(server.url, {
      rateLimit: { defaultRetryAfterMs: 5_000 },
      breaker: { kind: 'consecutive', failures: 1, halfOpenAfterMs: 10_000 },
    });
    await expect(client.get('/x')).rejects.toMatchObject({ retryAfterMs: 5_000 });
    expect(client.circuitState()).toBe('closed');
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, fails fast, half-opens later and closes on success', async () => {
    let healthy = false;
    const { server, seen } = await scripted([(req, res) => (healthy ? ok(req, res) : fail500(req, res))]);
    const client = fast(server.url, {
      retries: 0,
      breaker: { kind: 'consecutive', failures: 3, halfOpenAfterMs: 1_000 },
    });

    for (let i = 0; i < 3; i += 1) await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderResponseError);
    expect(client.circuitState()).toBe('open');
    await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(seen).toHaveLength(3); // the refused call never reached the server

    // still failing when the trial call goes through: open again
    await new Promise((r) => setTimeout(r, 1_050));
    await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderResponseError);
    expect(seen).toHaveLength(4);
    expect(client.circuitState()).toBe('open');
    await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderUnavailableError);

    healthy = true;
    await new Promise((r) => setTimeout(r, 1_050));
    await expect(client.get('/x')).resolves.toMatchObject({ data: { ok: true } });
    expect(client.circuitState()).toBe('closed');
  });

  it('stops retrying once the circuit opens mid-request', async () => {
    const { server, seen } = await scripted([fail500]);
    const client = fast(server.url, {
      retries: 5,
      breaker: { kind: 'consecutive', failures: 2, halfOpenAfterMs: 10_000 },
    });
    await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(seen).toHaveLength(2);
  });

  it('counts timeouts and malformed bodies but not 4xx', async () => {
    const { server } = await scripted([
      (_req, res) => sendJson(res, 404, {}),
      (_req, res) => sendJson(res, 404, {}),
      (_req, res) => sendJson(res, 200, 'not json'),
      hang,
    ]);
    const client = fast(server.url, {
      retries: 0,
      timeoutMs: 500,
      breaker: { kind: 'consecutive', failures: 2, halfOpenAfterMs: 10_000 },
    });
    await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderResponseError);
    await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderResponseError);
    expect(client.circuitState()).toBe('closed');
    await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderTimeoutError);
    expect(client.circuitState()).toBe('open');
  });

  it('supports a sampling breaker', async () => {
    const { server } = await scripted([fail500]);
    const client = fast(server.url, {
      retries: 0,
      // minimumRps 0.5 over 10 s: at least 5 calls in the window before it may open
      breaker: { kind: 'sampling', threshold: 0.5, durationMs: 10_000, minimumRps: 0.5, halfOpenAfterMs: 10_000 },
    });
    let unavailable = 0;
    for (let i = 0; i < 10; i += 1) {
      const e = await client.get('/x').catch((err: unknown) => err);
      if (e instanceof ProviderUnavailableError) unavailable += 1;
    }
    expect(client.circuitState()).toBe('open');
    expect(unavailable).toBeGreaterThan(0);
  });
});
