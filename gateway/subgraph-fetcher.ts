import { Agent, request } from 'node:http';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

const MAX_SOCKETS = 128;
const TIMEOUT_MS = 30_000;
/** Statuses whose Response may not carry a body (the Fetch standard's null body statuses). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The fetcher the gateway uses for subgraph calls: a keep-alive `http.request` with a bounded socket pool.
 * Apollo's default (make-fetch-happen) adds a cache layer and stream plumbing we do not use on every
 * call; this keeps one TCP connection per concurrent request and hands back a (global) Response, which
 * is what RemoteGraphQLDataSource reads.
 */
export function createSubgraphFetcher() {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, keepAliveMsecs: 10_000 });
  const fetcher: RemoteGraphQLDataSource['fetcher'] = (url, init = {}) =>
    new Promise((resolve, reject) => {
      const body = init.body ?? '';
      const req = request(
        url,
        {
          method: init.method ?? 'POST',
          agent,
          headers: { ...init.headers, 'content-length': Buffer.byteLength(body) },
          timeout: TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers = new Headers();
            for (const [key, value] of Object.entries(res.headers))
              if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
            const status = res.statusCode ?? 500;
            try {
              resolve(
                new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), {
                  status,
                  statusText: res.statusMessage ?? '',
                  headers,
                }),
              );
            } catch (err) {
              reject(err);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(
          Object.assign(new Error(`subgraph request timed out after ${TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' }),
        ),
      );
      req.on('error', reject);
      req.end(body);
    });
  return { fetcher, close: () => agent.destroy() };
}
