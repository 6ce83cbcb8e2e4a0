import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How the proxy misbehaves:
 * - honest: forwards as is;
 * - malformed: answers 200 with truncated JSON;
 * - hang: never answers;
 * - regress: `eth_blockNumber` answers 5 blocks below the real head (a node going backwards);
 * - future-head: `eth_blockNumber` claims 1,000 blocks that do not exist yet;
 * - forged-log: `eth_getLogs` gains a Transfer of `forgedTo` from a block hash that is not the block's;
 * - foreign-log: `eth_getLogs` gains a Transfer of `forgedTo` in the first block asked for, consistent in every way
 *   (block number and hash, transaction index) except that it comes from another contract (`token`).
 */
export type HostileMode = 'honest' | 'malformed' | 'hang' | 'regress' | 'future-head' | 'forged-log' | 'foreign-log';

export interface HostileRpcProxy {
  url: string;
  setMode(mode: HostileMode, options?: { forgedTo?: string; token?: string }): void;
  /** Requests received in each mode. */
  counts(): Record<HostileMode, number>;
  close(): Promise<void>;
}

interface RpcRequest {
  id: unknown;
  method: string;
  params?: unknown[];
}
interface RpcResponse {
  id: unknown;
  result?: unknown;
}

const pad = (hex: string) => '0x' + hex.replace(/^0x/, '').toLowerCase().padStart(64, '0');

/** A JSON-RPC proxy in front of a local chain that turns hostile on demand (watcher resilience tests). */
export async function startHostileRpcProxy(target: string): Promise<HostileRpcProxy> {
  let mode: HostileMode = 'honest';
  let forgedTo = '';
  let token = '';
  const counts: Record<HostileMode, number> = {
    honest: 0,
    malformed: 0,
    hang: 0,
    regress: 0,
    'future-head': 0,
    'forged-log': 0,
    'foreign-log': 0,
  };
  const sockets = new Set<Socket>();

  const foreignLog = async (request: RpcRequest, response: RpcResponse): Promise<RpcResponse> => {
    const filter = (request.params?.[0] ?? {}) as { fromBlock?: string };
    const block = (await (
      await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'eth_getBlockByNumber',
          params: [filter.fromBlock, false],
        }),
      })
    ).json()) as { result: { number: string; hash: string } | null };
    if (!block.result || !Array.isArray(response.result)) return response;
    const forged = {
      address: token.toLowerCase(),
      topics: [
        '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef',
        pad('1'.repeat(40)),
        pad(forgedTo),
      ],
      data: pad(1_000_000_000n.toString(16)),
      blockNumber: block.result.number,
      blockHash: block.result.hash,
      transactionHash: pad('ef'.repeat(32)),
      transactionIndex: '0x0',
      logIndex: '0x7f',
      removed: false,
    };
    return { ...response, result: [...response.result, forged] };
  };

  const rewrite = async (request: RpcRequest, response: RpcResponse): Promise<RpcResponse> => {
    if (request.method === 'eth_getLogs' && mode === 'foreign-log') return foreignLog(request, response);
    if (request.method === 'eth_blockNumber' && typeof response.result === 'string') {
      const head = BigInt(response.result);
      if (mode === 'regress') return { ...response, result: '0x' + (head > 5n ? head - 5n : 0n).toString(16) };
      if (mode === 'future-head') return { ...response, result: '0x' + (head + 1000n).toString(16) };
    }
    if (request.method === 'eth_getLogs' && mode === 'forged-log' && Array.isArray(response.result)) {
      const forged = {
        address: token.toLowerCase(),
        topics: [
          '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef',
          pad('1'.repeat(40)),
          pad(forgedTo),
        ],
        data: pad(1_000_000_000n.toString(16)),
        blockNumber: '0x1',
        blockHash: pad('ab'.repeat(32)),
        transactionHash: pad('cd'.repeat(32)),
        transactionIndex: '0x0',
        logIndex: '0x0',
        removed: false,
      };
      return { ...response, result: [...response.result, forged] };
    }
    return response;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    counts[mode]++;
    if (mode === 'hang') return; // the client times out
    if (mode === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"jsonrpc":"2.0","id":1,"resu');
      return;
    }
    const upstream = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    const body = (await upstream.json()) as RpcResponse | RpcResponse[];
    const parsed = JSON.parse(text) as RpcRequest | RpcRequest[];
    let out: unknown = body;
    if (Array.isArray(parsed) && Array.isArray(body)) {
      out = await Promise.all(
        body.map((r) => rewrite(parsed.find((q) => q.id === r.id) ?? { id: r.id, method: '' }, r)),
      );
    } else if (!Array.isArray(parsed) && !Array.isArray(body)) {
      out = await rewrite(parsed, body);
    }
    const payload = JSON.stringify(out);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    setMode(next, options = {}) {
      mode = next;
      forgedTo = options.forgedTo ?? forgedTo;
      token = options.token ?? token;
    },
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
