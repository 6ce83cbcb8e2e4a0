import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { BodyTooLargeError, listen, readBody, type RunningServer } from '../../platform/http/server.js';
import { createTonSimulator, type TonChainSimulator } from '../ton/toncenter.simulator.js';
import { createTronSimulator, type TronChainSimulator } from '../tron/trongrid.simulator.js';
import { DEVNET_CHAIN_PORTS, type DevnetChain } from './ports.js';

/**
 * The TRON and TON simulators of the devnet, each on its own port, with `GET /health` and devnet controls beside
 * the provider API:
 *   POST /devnet/faucet  { "to": "<address>", "amount": "<minor units>", "token": "USDT" | "<contract/master>" }
 *                        → { txID | traceId, block } (TRX/TON without token)
 *   POST /devnet/mine    { "blocks": 1 }          → { head }
 *   POST /devnet/reorg   { "depth": 2, "reinclude": false } → { head, removed }
 */

export interface DevnetChainsOptions {
  host: string;
  ports?: Record<DevnetChain, number>;
  /** Block intervals; defaults: TRON 3 s, TON 5 s. */
  tronBlockIntervalMs?: number | null;
  tonBlockIntervalMs?: number | null;
  log: Logger;
}

export interface DevnetChains {
  tron: TronChainSimulator;
  ton: TonChainSimulator;
  urls: Record<DevnetChain, string>;
  close(): Promise<void>;
}

class BadRequest extends Error {}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readBody(req, 65_536);
  } catch (error) {
    throw error instanceof BodyTooLargeError ? new BadRequest('body too large') : error;
  }
  if (!text.trim()) return {};
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequest('body must be a JSON object');
    return body as Record<string, unknown>;
  } catch (error) {
    throw error instanceof BadRequest ? error : new BadRequest('invalid JSON');
  }
}

function amountOf(value: unknown): bigint {
  const text =
    typeof value === 'string' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : '';
  if (!/^[1-9]\d{0,77}$/u.test(text))
    throw new BadRequest('amount must be a positive integer in minor units (a string)');
  return BigInt(text);
}

function positive(value: unknown, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new BadRequest(`${field} must be a positive integer`);
  return value;
}

interface Controls {
  head(): number;
  faucet(body: Record<string, unknown>): unknown;
  mine(blocks: number): number;
  reorg(depth: number, reinclude: boolean): unknown;
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;
}

async function serve(
  name: DevnetChain,
  controls: Controls,
  host: string,
  port: number,
  log: Logger,
): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const run = async (): Promise<void> => {
      if (route === 'GET /health')
        return json(res, 200, { status: 'ok', service: `devnet-${name}`, head: controls.head() });
      if (url.pathname.startsWith('/devnet/')) {
        if (req.method !== 'POST') return json(res, 405, { error: 'use POST' });
        const body = await readJson(req);
        if (url.pathname === '/devnet/faucet') {
          const result = controls.faucet(body);
          log.info(
            { chain: name, to: body.to, amount: body.amount, token: body.token ?? null },
            'devnet faucet transfer',
          );
          return json(res, 200, result);
        }
        if (url.pathname === '/devnet/mine')
          return json(res, 200, { head: controls.mine(positive(body.blocks, 1, 'blocks')) });
        if (url.pathname === '/devnet/reorg') {
          const result = controls.reorg(positive(body.depth, 1, 'depth'), body.reinclude === true);
          log.warn({ chain: name, depth: body.depth, reinclude: body.reinclude === true }, 'devnet reorg');
          return json(res, 200, result);
        }
        return json(res, 404, { error: 'no such devnet control' });
      }
      await controls.handler(req, res, url);
    };
    run().catch((error: unknown) => {
      if (error instanceof BadRequest || error instanceof RangeError) {
        if (!res.headersSent) json(res, 400, { error: error.message });
        return;
      }
      log.error({ err: error, chain: name, route }, 'devnet chain request failed');
      if (!res.headersSent) json(res, 500, { error: error instanceof Error ? error.message : 'internal error' });
      else res.destroy();
    });
  });
  return listen(server, port, host);
}

/** Starts both simulators and serves them; `close()` stops block production and the listeners. */
export async function startDevnetChains(options: DevnetChainsOptions): Promise<DevnetChains> {
  const ports = options.ports ?? DEVNET_CHAIN_PORTS;
  const tron = createTronSimulator({
    blockIntervalMs: options.tronBlockIntervalMs === undefined ? 3_000 : options.tronBlockIntervalMs,
  });
  const ton = createTonSimulator({
    blockIntervalMs: options.tonBlockIntervalMs === undefined ? 5_000 : options.tonBlockIntervalMs,
  });
  const faucetInput = (body: Record<string, unknown>) => {
    if (typeof body.to !== 'string') throw new BadRequest('to is required');
    if (body.token !== undefined && typeof body.token !== 'string') throw new BadRequest('token must be a string');
    return { to: body.to, amount: amountOf(body.amount), token: body.token as string | undefined };
  };
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      // Faucet refusals (bad address, unknown token) are the caller's mistake.
      if (
        error instanceof Error &&
        !(error instanceof RangeError) &&
        /faucet|unknown|invalid|not a/iu.test(error.message)
      )
        throw new BadRequest(error.message);
      throw error;
    }
  };
  const servers: RunningServer[] = [];
  try {
    servers.push(
      await serve(
        'tron',
        {
          head: () => tron.chain.head.number,
          faucet: (body) =>
            wrap(() => {
              const input = faucetInput(body);
              return tron.send({ to: input.to, amount: input.amount, ...(input.token ? { token: input.token } : {}) });
            }),
          mine: (blocks) => tron.mine(blocks),
          reorg: (depth, reinclude) => tron.reorg(depth, { reinclude }),
          handler: tron.handler,
        },
        options.host,
        ports.tron,
        options.log,
      ),
    );
    servers.push(
      await serve(
        'ton',
        {
          head: () => ton.chain.head.seqno,
          faucet: (body) =>
            wrap(() => {
              const input = faucetInput(body);
              if (body.comment !== undefined && typeof body.comment !== 'string')
                throw new BadRequest('comment must be a string');
              return ton.send({
                to: input.to,
                amount: input.amount,
                ...(input.token ? { jetton: input.token } : {}),
                ...(typeof body.comment === 'string' ? { comment: body.comment } : {}),
              });
            }),
          mine: (blocks) => ton.mine(blocks),
          reorg: (depth, reinclude) => ton.reorg(depth, { reinclude }),
          handler: ton.handler,
        },
        options.host,
        ports.ton,
        options.log,
      ),
    );
  } catch (error) {
    tron.stop();
    ton.stop();
    await Promise.all(servers.map((s) => s.close(0)));
    throw error;
  }
  const [tronServer, tonServer] = servers as [RunningServer, RunningServer];
  return {
    tron,
    ton,
    urls: { tron: tronServer.url, ton: tonServer.url },
    close: async () => {
      tron.stop();
      ton.stop();
      await Promise.all(servers.map((s) => s.close(2_000)));
    },
  };
}
