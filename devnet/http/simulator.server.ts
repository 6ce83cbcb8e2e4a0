import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SimulatorHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface SimulatorServer {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:41234". */
  readonly url: string;
  /** Stops listening and destroys open connections (including requests a handler left hanging). Idempotent. */
  close(): Promise<void>;
}

export interface SimulatorServerOptions {
  /** Port to listen on; default 0 (ephemeral). The devnet processes use fixed ports so other processes find them. */
  port?: number;
}

/**
 * Serves `handler` on 127.0.0.1 at an ephemeral port (or `options.port`). A handler that throws answers 500 with
 * the message as text. A handler may also never answer (to simulate a hang); `close()` still returns promptly.
 */
export async function startSimulatorServer(
  handler: SimulatorHandler,
  options: SimulatorServerOptions = {},
): Promise<SimulatorServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    Promise.resolve()
      .then(() => handler(req, res, url))
      .catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(error instanceof Error ? error.message : String(error));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}

/**
 * Serves an in-memory simulator (its `handler`) on 127.0.0.1 at an ephemeral port; `close()` stops the
 * simulator's own clock (`stop`) and then the server.
 */
export async function serveSimulator<S extends { handler: SimulatorHandler; stop(): void }>(
  sim: S,
): Promise<S & { url: string; close(): Promise<void> }> {
  const server = await startSimulatorServer(sim.handler);
  return {
    ...sim,
    url: server.url,
    close: async () => {
      sim.stop();
      await server.close();
    },
  };
}

/** Writes a JSON response. `body` may be a pre-serialised string (to send exact number text or broken JSON). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Reads a request body as text (for simulators of POST APIs). */
export async function readRequestBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
