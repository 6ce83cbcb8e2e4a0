import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * Child process of bench:subscriptions: opens N graphql-ws connections (protocol graphql-transport-ws) and
 * subscribes each to the same operation, recording when each price tick arrives. Real clients are separate
 * devices; here thousands share a process and a core with the server, so the client is as thin as it can be:
 * RFC 6455 over a plain TCP socket (upgrade, masked client frames, unmasked server frames, ping → pong), and
 * the tick number read from the frame without parsing the whole message. Driven over IPC by the orchestrator.
 */
type Command =
  | {
      cmd: 'connect';
      url: string;
      from: number;
      to: number;
      query: string;
      variables: Record<string, unknown>;
      tokens: string[] | null;
      concurrency: number;
    }
  | { cmd: 'report'; from: number; to: number }
  | { cmd: 'close' };

const sockets: Socket[] = [];
/** Receipt times (epoch ms, sub-ms precision) per tick sequence number. */
const receipts = new Map<number, number[]>();
let expected = 0;
let errors = 0;
let closing = false;

const now = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send!(message);

const VALUE = Buffer.from('"value":"');
const NEXT = Buffer.from('"type":"next"');
const ACK = Buffer.from('"connection_ack"');

/** A masked client frame (RFC 6455 §5.3); opcode 1 = text, 10 = pong. */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(header + 4 + length);
  out[0] = 0x80 | opcode;
  if (header === 2) out[1] = 0x80 | length;
  else if (header === 4) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, header);
  for (let i = 0; i < length; i++) out[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

function onText(data: Buffer, socket: Socket, subscribe: Buffer): void {
  const at = now();
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
  } else if (data.indexOf(ACK) >= 0) {
    socket.write(subscribe);
  } else if (data.includes('"type":"ping"')) {
    socket.write(frame(1, Buffer.from('{"type":"pong"}')));
  } else {
    errors += 1; // error or complete: not expected in the benchmark
  }
}

/** Reads server frames from a stream of chunks. */
function frameReader(socket: Socket, subscribe: Buffer): (chunk: Buffer) => void {
  let pending: Buffer | null = null;
  return (chunk) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    for (;;) {
      if (buf.length < 2) break;
      const opcode = buf[0]! & 0x0f;
      let length = buf[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buf.length < 4) break;
        length = buf.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buf.length < 10) break;
        length = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      if (buf.length < offset + length) break;
      const payload = buf.subarray(offset, offset + length);
      if (opcode === 1) onText(payload, socket, subscribe);
      else if (opcode === 9) socket.write(frame(10, Buffer.from(payload)));
      else if (opcode === 8) {
        if (!closing) send({ event: 'closed', code: length >= 2 ? payload.readUInt16BE(0) : 1005 });
        socket.destroy();
        return;
      }
      buf = buf.subarray(offset + length);
    }
    if (buf.length) pending = Buffer.from(buf);
  };
}

function open(url: URL, localAddress: string, init: Buffer, subscribe: Buffer): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress, noDelay: true });
    let handshake: Buffer | null = Buffer.alloc(0);
    socket.on('connect', () => {
      socket.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`,
      );
    });
    const read = frameReader(socket, subscribe);
    socket.on('data', (chunk: Buffer) => {
      if (handshake === null) return read(chunk);
      handshake = Buffer.concat([handshake, chunk]);
      const end = handshake.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = handshake.toString('latin1', 0, end);
      const rest = handshake.subarray(end + 4);
      handshake = null;
      if (!head.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        resolve(null);
        return;
      }
      socket.write(init);
      sockets.push(socket);
      resolve(socket);
      if (rest.length) read(Buffer.from(rest));
    });
    socket.on('error', () => resolve(null));
    socket.on('close', () => {
      if (handshake === null && !closing) send({ event: 'closed', code: 1006 });
    });
  });
}

async function connectAll(command: Extract<Command, { cmd: 'connect' }>): Promise<void> {
  const url = new URL(command.url);
  const subscribe = frame(
    1,
    Buffer.from(
      JSON.stringify({ id: '1', type: 'subscribe', payload: { query: command.query, variables: command.variables } }),
    ),
  );
  let next = command.from;
  let failed = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: command.concurrency }, async () => {
      while (next < command.to) {
        const i = next++;
        const token = command.tokens?.[i];
        const init = frame(
          1,
          Buffer.from(
            JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }),
          ),
        );
        // spread over 127.0.0.1-4 so 2 × 10,000 connections (and their TIME_WAITs) fit the ephemeral port range
        if (!(await open(url, `127.0.0.${(i % 4) + 1}`, init, subscribe))) failed += 1;
      }
    }),
  );
  expected = sockets.length;
  send({ event: 'connected', connected: sockets.length, failed, ms: now() - started });
}

process.on('message', (command: Command) => {
  if (command.cmd === 'connect') void connectAll(command);
  else if (command.cmd === 'report') {
    const out: Record<number, Float64Array> = {};
    for (const [seq, list] of receipts)
      if (seq >= command.from && seq <= command.to) out[seq] = Float64Array.from(list);
    send({ event: 'report', receipts: out, errors });
  } else if (command.cmd === 'close') {
    closing = true;
    for (const socket of sockets) socket.destroy();
    setTimeout(() => process.exit(0), 100);
  }
});
send({ event: 'ready' });
