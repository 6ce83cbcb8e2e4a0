import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { afterEach } from 'vitest';
import type { ResilienceOptions } from '../providers/http/resilience.js';
import { sendJson, startSimulatorServer } from '../devnet/http/simulator.server.js';

/** Test helpers for provider clients (imported by their tests only). */

/** One retry, millisecond back-off: failures show up at once instead of after seconds of retrying. */
export const FAST_RESILIENCE: ResilienceOptions = {
  retries: 1,
  backoff: { initialMs: 5, maxMs: 10 },
  timeoutMs: 2_000,
};

/** Reads `fixtures/<name>` next to the test module whose `import.meta.url` is given. */
export function fixtureReader(testModuleUrl: string): (name: string) => string {
  return (name) => readFileSync(new URL(`./fixtures/${name}`, testModuleUrl), 'utf8');
}

/** Closes what `track` was given after every test of the file that calls this (at its top level). */
export function closeAfterEach(): <T extends { close(): Promise<void> }>(closer: T) => T {
  const closers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c.close()));
  });
  return (closer) => {
    closers.push(closer);
    return closer;
  };
}

export interface FixtureRoute {
  status?: number;
  body: string;
  headers?: Record<string, string>;
}

/**
 * A server answering fixed bodies and recording the requests: one route for every path, or routes by path
 * (404 for any other).
 */
export async function startFixtureServer(
  routes: FixtureRoute | Record<string, FixtureRoute>,
): Promise<{ url: string; seen: IncomingMessage[]; close(): Promise<void> }> {
  const seen: IncomingMessage[] = [];
  const single = typeof (routes as FixtureRoute).body === 'string' ? (routes as FixtureRoute) : null;
  const server = await startSimulatorServer((req, res, url) => {
    seen.push(req);
    const route = single ?? (routes as Record<string, FixtureRoute>)[url.pathname];
    if (!route) return sendJson(res, 404, { error: 'Not Found' });
    sendJson(res, route.status ?? 200, route.body, route.headers);
  });
  return { url: server.url, seen, close: () => server.close() };
}
