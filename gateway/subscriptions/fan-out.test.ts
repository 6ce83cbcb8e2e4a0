import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { ExecutionResult } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger } from '../../platform/logger.js';
import { FanOut, encodePayload, frameStart, writeTextFrame, type FanOutGroupSpec } from './fan-out.js';

const log = createLogger({ name: 'test', level: 'silent' });
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A real ws server and `n` real clients connected to it; returns the server-side sockets and what each client received. */
async function sockets(n: number) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const serverSide: WebSocket[] = [];
  wss.on('connection', (ws) => serverSide.push(ws));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const clients = await Promise.all(
    Array.from({ length: n }, async () => {
      const ws = new WebSocket(url);
      const received: string[] = [];
      ws.on('message', (data) => received.push(String(data)));
      await new Promise<void>((resolve) => ws.once('open', () => resolve()));
      return { ws, received };
    }),
  );
  while (serverSide.length < n) await new Promise((r) => setTimeout(r, 5));
  closers.push(async () => {
    for (const c of clients) c.ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  return { serverSide, clients };
}

const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

function spec(
  key: string,
  execute: (vars: Record<string, unknown>) => Promise<ExecutionResult>,
): FanOutGroupSpec & { runs: Record<string, unknown>[] } {
  const runs: Record<string, unknown>[] = [];
  return {
    key,
    responseKey: 'priceUpdated',
    runs,
    execute: (vars) => {
      runs.push(vars);
      return execute(vars);
    },
  };
}

describe('FanOut', () => {
  it('runs a group once per event and topic, serialises once, and writes each member its own graphql-ws frame', async () => {
    const { serverSide, clients } = await sockets(3);
    const stats = { executions: 0, frames: 0 };
    const fanOut = new FanOut({
      log,
      maxBufferedBytes: 1 << 20,
      onSlowConsumer: () => undefined,
      onExecuted: () => (stats.executions += 1),
      onDelivered: (frames) => (stats.frames += frames),
    });
    const group = spec('g', async (vars) => ({ data: { priceUpdated: { symbol: vars.__live_symbol, value: '5.1' } } }));
    fanOut.add(group, { socket: serverSide[0]!, frameStart: frameStart('a'), topics: ['TON|IRT', 'TRX|IRT'] });
    fanOut.add(group, { socket: serverSide[1]!, frameStart: frameStart('b-"quoted"'), topics: ['TON|IRT'] });
    fanOut.add(group, { socket: serverSide[2]!, frameStart: frameStart('c'), topics: ['ETH|IRT'] });
    expect(fanOut.groupCount()).toBe(1);

    fanOut.publish([{ topic: 'TON|IRT', variables: { __live_symbol: 'TON' } }]);
    await until(() => clients[0]!.received.length === 1 && clients[1]!.received.length === 1);
    expect(group.runs).toEqual([{ __live_symbol: 'TON' }]);
    expect(clients[0]!.received.map((m) => JSON.parse(m))).toEqual([
      { id: 'a', type: 'next', payload: { data: { priceUpdated: { symbol: 'TON', value: '5.1' } } } },
    ]);
    expect(JSON.parse(clients[1]!.received[0]!)).toMatchObject({ id: 'b-"quoted"', type: 'next' });
    await new Promise((r) => setTimeout(r, 50));
    expect(clients[2]!.received).toEqual([]); // not its topic
    expect(stats).toMatchObject({ executions: 1, frames: 2 });
  });

  it('keeps groups with different selections apart, and a topic nobody listens to costs nothing', async () => {
    const { serverSide, clients } = await sockets(2);
    const fanOut = new FanOut({ log, maxBufferedBytes: 1 << 20, onSlowConsumer: () => undefined });
    const a = spec('a', async () => ({ data: { priceUpdated: { value: '1' } } }));
    const b = spec('b', async () => ({ data: { priceUpdated: { value: '1', scale: 0 } } }));
    fanOut.add(a, { socket: serverSide[0]!, frameStart: frameStart('1'), topics: ['TON|USD'] });
    fanOut.add(b, { socket: serverSide[1]!, frameStart: frameStart('1'), topics: ['TON|USD'] });
    fanOut.publish([
      { topic: 'TON|USD', variables: {} },
      { topic: 'BNB|USD', variables: {} },
    ]);
    await until(() => clients.every((c) => c.received.length === 1));
    expect([a.runs.length, b.runs.length]).toEqual([1, 1]);
    expect(JSON.parse(clients[1]!.received[0]!).payload).toEqual({ data: { priceUpdated: { value: '1', scale: 0 } } });
  });

  it('coalesces events that arrive while a run is in flight into one more run (latest wins)', async () => {
    const { serverSide, clients } = await sockets(1);
    const fanOut = new FanOut({ log, maxBufferedBytes: 1 << 20, onSlowConsumer: () => undefined });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const group = spec('g', async (vars) => {
      if (vars.n === 1) await gate;
      return { data: { priceUpdated: { n: vars.n } } };
    });
    fanOut.add(group, { socket: serverSide[0]!, frameStart: frameStart('x'), topics: ['TON|IRT'] });
    for (let n = 1; n <= 5; n++) fanOut.publish([{ topic: 'TON|IRT', variables: { n } }]);
    release();
    await until(() => clients[0]!.received.length === 2);
    expect(group.runs.map((r) => r.n)).toEqual([1, 5]);
    expect(clients[0]!.received.map((m) => JSON.parse(m).payload.data.priceUpdated.n)).toEqual([1, 5]);
  });

  it('drops a consumer that stops reading once its unsent bytes pass the limit; the others keep receiving', async () => {
    const { serverSide, clients } = await sockets(2);
    const dropped: WebSocket[] = [];
    let slowConsumers = 0;
    const fanOut = new FanOut({
      log,
      maxBufferedBytes: 64 * 1024,
      onSlowConsumer: (socket) => {
        slowConsumers += 1;
        dropped.push(socket);
        socket.terminate();
      },
    });
    const big = 'x'.repeat(16 * 1024);
    const group = spec('g', async () => ({ data: { priceUpdated: { big } } }));
    fanOut.add(group, { socket: serverSide[0]!, frameStart: frameStart('slow'), topics: ['T'] });
    fanOut.add(group, { socket: serverSide[1]!, frameStart: frameStart('fast'), topics: ['T'] });
    // the slow client's process stops reading: its kernel buffers fill, then the server's
    clients[0]!.ws.pause();
    let published = 0;
    while (!dropped.length && published < 2_000) {
      fanOut.publish([{ topic: 'T', variables: {} }]);
      published += 1;
      await until(() => group.runs.length === published);
      await new Promise((r) => setImmediate(r));
      expect(serverSide[0]!.bufferedAmount).toBeLessThanOrEqual(64 * 1024 + 17 * 1024); // never more than the limit plus one frame
    }
    expect(dropped).toEqual([serverSide[0]]);
    await until(() => clients[1]!.received.length === published);
    expect(slowConsumers).toBe(1);
  });

  it('writes whole frames a ws client reads, whatever the length field needs (7, 16 and 64 bits)', async () => {
    const { serverSide, clients } = await sockets(1);
    const sizes = [10, 300, 70_000];
    for (const size of sizes)
      writeTextFrame(
        serverSide[0]!,
        frameStart('f'),
        encodePayload({ data: { priceUpdated: { v: 'x'.repeat(size) } } }, 'priceUpdated'),
      );
    serverSide[0]!.send('{"type":"pong"}'); // ws's own frames interleave cleanly
    await until(() => clients[0]!.received.length === 4);
    expect(
      clients[0]!.received.slice(0, 3).map((m) => (JSON.parse(m).payload.data.priceUpdated.v as string).length),
    ).toEqual(sizes);
    expect(clients[0]!.received[3]).toBe('{"type":"pong"}');
  });

  it('encodes data null (non-null field) with the follow-up errors when the value is null', () => {
    const bytes = encodePayload(
      { data: { priceUpdated: null }, errors: [{ message: 'stale', extensions: { code: 'PRICE_STALE' } }] as never },
      'priceUpdated',
    );
    expect(JSON.parse(`{"payload":${bytes.toString()}`)).toEqual({
      payload: { data: null, errors: [{ message: 'stale', extensions: { code: 'PRICE_STALE' } }] },
    });
  });

  it('forgets a group when its last member leaves, and tells when the fan-out becomes idle', async () => {
    const { serverSide } = await sockets(2);
    const activity: boolean[] = [];
    const fanOut = new FanOut({
      log,
      maxBufferedBytes: 1 << 20,
      onSlowConsumer: () => undefined,
      onActive: (a) => activity.push(a),
    });
    const group = spec('g', async () => ({ data: { priceUpdated: {} } }));
    const r1 = fanOut.add(group, { socket: serverSide[0]!, frameStart: frameStart('1'), topics: ['A', 'B'] });
    const r2 = fanOut.add(group, { socket: serverSide[1]!, frameStart: frameStart('2'), topics: ['A'] });
    r1.stop();
    r1.stop(); // idempotent
    expect([fanOut.groupCount(), fanOut.memberCount()]).toEqual([1, 1]);
    r2.stop();
    expect([fanOut.groupCount(), fanOut.memberCount()]).toEqual([0, 0]);
    expect(activity).toEqual([true, false]);
  });
});

describe('the live server and ws', () => {
  it('uses no private field of ws anywhere in the live server (only its public API)', () => {
    const dir = new URL('.', import.meta.url);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(5);
    const offenders = sources.filter((f) =>
      /\._(socket|sender|receiver|readyState|bufferedAmount|closeFrame|req)\b|\[['"]_socket['"]\]/.test(
        readFileSync(new URL(f, dir), 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
