import { Agent, request } from 'node:http';
import { Headers, Response } from 'node-fetch';

/**
 * The fetcher the gateway uses for subgraph calls: a keep-alive `http.request` with a bounded socket pool.
 * Apollo's default (make-fetch-happen) adds a cache layer and stream plumbing we do not use on every
 * call; this keeps one TCP connection per concurrent request and hands back a node-fetch Response, which
 * is what RemoteGraphQLDataSource reads.
 */
export function createSubgraphFetcher(options: { maxSockets?: number; timeoutMs?: number } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 128, keepAliveMsecs: 10_000 });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const fetcher = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const body = init.body ?? '';
      const req = request(url, { method: init.method ?? 'POST', agent, headers: { ...init.headers, 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [key, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, statusText: res.statusMessage ?? '', headers }));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`subgraph request timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  return { fetcher, close: () => agent.destroy() };
}
