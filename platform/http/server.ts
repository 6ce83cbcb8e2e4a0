import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';
import { runHealthChecks, type HealthCheck } from './health.js';
import type { Metrics } from './metrics.js';
import { Readiness } from './readiness.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface HttpServerOptions {
  service: string;
  log: Logger;
  metrics: Metrics;
  health: Record<string, HealthCheck>;
  /** Exact paths (`/graphql`), or a prefix ending in `/*` (`/app/*`: every path below /app/). */
  routes: Record<string, RouteHandler>;
  /**
   * 'internal' (default; the port is not published): the routes plus detailed /health, /ready, /live and
   * /metrics. 'public' (the gateway's public port): the routes plus a minimal /health (`{ status }`, from
   * readiness, no dependency detail) for load balancers; no /metrics.
   */
  exposure?: 'internal' | 'public';
  /** Shared when one process serves several ports (the gateway); otherwise the server makes its own. */
  readiness?: Readiness;
}

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  readiness: Readiness;
  /**
   * Marks the process draining (/ready answers 503), keeps serving for `unreadyMs` so load balancers see it,
   * then stops accepting, lets in-flight requests finish (up to graceMs) and destroys what is left.
   */
  close(graceMs?: number, unreadyMs?: number): Promise<void>;
}

const readinessOf = new WeakMap<Server, Readiness>();

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json; charset=utf-8',
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage, limitBytes = 1_048_576): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new BodyTooLargeError(`body larger than ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A small HTTP server shared by every process: the routes it is given plus health, readiness and metrics (see
 * `exposure`), request metrics, and a drain on close. No framework: the GraphQL handlers do their own content
 * negotiation.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const { service, log, metrics, health, routes, exposure = 'internal' } = options;
  const readiness = options.readiness ?? new Readiness();
  const handlers: Record<string, RouteHandler> =
    exposure === 'public'
      ? {
          ...routes,
          '/health': (_req, res) => {
            const ready = readiness.ready;
            sendJson(res, ready ? 200 : 503, { status: ready ? 'healthy' : 'unhealthy' });
          },
        }
      : {
          ...routes,
          '/health': async (_req, res) => {
            const report = await runHealthChecks(service, health);
            sendJson(res, report.status === 'healthy' ? 200 : 503, report);
          },
          // ready = started, not draining, and every dependency answering: where a load balancer sends traffic
          '/ready': async (_req, res) => {
            const state = readiness.state;
            const report = state === 'ready' ? await runHealthChecks(service, health) : null;
            const ready = report?.status === 'healthy';
            sendJson(res, ready ? 200 : 503, {
              status: ready ? 'ready' : 'unready',
              service,
              ...(state === 'ready' ? {} : { reason: state }),
              ...(report && !ready ? { dependencies: report.dependencies } : {}),
            });
          },
          // alive = the event loop answers: cheap, no dependency checked (a restart would not fix one)
          '/live': (_req, res) => sendJson(res, 200, { status: 'alive', service }),
          '/metrics': async (_req, res) => {
            const body = await metrics.registry.metrics();
            res.writeHead(200, { 'content-type': metrics.registry.contentType });
            res.end(body);
          },
        };
  const prefixes = Object.keys(handlers)
    .filter((path) => path.endsWith('/*'))
    .sort((a, b) => b.length - a.length);
  const match = (pathname: string): string | undefined =>
    handlers[pathname] && !pathname.endsWith('/*')
      ? pathname
      : prefixes.find((prefix) => pathname.startsWith(prefix.slice(0, -1)));
  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const matched = match(url.pathname);
    const handler = matched ? handlers[matched] : undefined;
    // a route the server knows (`/app/*` for a prefix), never the raw URL: the label set stays bounded
    const path = matched ?? 'unmatched';
    res.on('finish', () => {
      const method = req.method ?? 'GET';
      metrics.requests.inc({ method, path, status: String(res.statusCode) });
      metrics.duration.observe({ method, path }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    if (!handler) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    Promise.resolve(handler(req, res, url)).catch((err: unknown) => {
      log.error({ err, path: url.pathname }, 'unhandled error in HTTP handler');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  readinessOf.set(server, readiness);
  return server;
}

export async function listen(server: Server, port: number, host: string): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // a burst of new connections (a Mini App release, a load test) must queue, not be reset
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const readiness = readinessOf.get(server) ?? new Readiness();
  readiness.markStarted();
  return {
    server,
    port: actualPort,
    url: `http://${host}:${actualPort}`,
    readiness,
    close: async (graceMs = 5000, unreadyMs = 0) => {
      readiness.markDraining();
      if (unreadyMs > 0) await new Promise((resolve) => setTimeout(resolve, unreadyMs));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, graceMs);
        timer.unref();
        // keep-alive sockets become idle as their last response ends: close them as soon as they do
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(timer);
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
