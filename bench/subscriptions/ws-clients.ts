import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/**
 * Child process of bench:subscriptions: opens N graphql-ws connections (protocol graphql-transport-ws,
 * spoken directly over `ws` so the client costs as little as possible), subscribes each to the same
 * operation, and records when each price tick arrives. Driven over IPC by the orchestrator.
 */
type Command =
  | { cmd: 'connect'; url: string; from: number; to: number; query: string; variables: Record<string, unknown>; tokens: string[] | null; concurrency: number }
  | { cmd: 'report'; from: number; to: number }
  | { cmd: 'close' };

const sockets: WebSocket[] = [];
/** Receipt times (epoch ms, sub-ms precision) per tick sequence number. */
const receipts = new Map<number, number[]>();
let expected = 0;
let errors = 0;
let otherMessages = 0;
let closing = false;

const now = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send!(message);

const VALUE = Buffer.from('"value":"');
const NEXT = Buffer.from('"type":"next"');

function onMessage(data: Buffer, ws: WebSocket, subscribe: string): void {
  const at = now();
  // the hot path reads the tick number without parsing the whole message: this process measures the server
  if (data.indexOf(NEXT) >= 0) {
    const i = data.indexOf(VALUE);
    const seq = i < 0 ? NaN : Number.parseInt(data.toString('latin1', i + VALUE.length, i + VALUE.length + 12), 10);
    if (!Number.isFinite(seq)) {
      errors += 1;
      return;
    }
    let list = receipts.get(seq);
    if (!list) {
      list = [];
      receipts.set(seq, list);
    }
    list.push(at);
    if (list.length === expected) send({ event: 'delivered', seq, at });
    return;
  }
  const message = JSON.parse(data.toString()) as { type: string };
  if (message.type === 'connection_ack') {
    ws.send(subscribe);
  } else if (message.type === 'ping') {
    ws.send('{"type":"pong"}');
  } else if (message.type === 'error') {
    errors += 1;
  } else {
    otherMessages += 1;
  }
}

async function connectAll(command: Extract<Command, { cmd: 'connect' }>): Promise<void> {
  const subscribe = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: command.query, variables: command.variables } });
  let next = command.from;
  let failed = 0;
  const started = now();
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      // spread over 127.0.0.1-4 so 2 × 10,000 connections (and their TIME_WAITs) fit the ephemeral port range
      const ws = new WebSocket(command.url, 'graphql-transport-ws', { perMessageDeflate: false, skipUTF8Validation: true, localAddress: `127.0.0.${(i % 4) + 1}` });
      ws.on('open', () => {
        const token = command.tokens?.[i];
        ws.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
        sockets.push(ws);
        resolve();
      });
      ws.on('message', (data) => onMessage(data as Buffer, ws, subscribe));
      ws.on('error', () => {
        failed += 1;
        resolve();
      });
      ws.on('close', (code) => {
        if (!closing) send({ event: 'closed', code });
      });
    });
  await Promise.all(
    Array.from({ length: command.concurrency }, async () => {
      while (next < command.to) await one(next++);
    }),
  );
  expected = sockets.length;
  send({ event: 'connected', connected: sockets.length, failed, ms: now() - started });
}

process.on('message', (command: Command) => {
  if (command.cmd === 'connect') void connectAll(command);
  else if (command.cmd === 'report') {
    const out: Record<number, Float64Array> = {};
    for (const [seq, list] of receipts) if (seq >= command.from && seq <= command.to) out[seq] = Float64Array.from(list);
    send({ event: 'report', receipts: out, errors, otherMessages });
  } else if (command.cmd === 'close') {
    closing = true;
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), 100);
  }
});
send({ event: 'ready' });
