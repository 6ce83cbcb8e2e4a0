import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { WebSocketServer, type WebSocket } from 'ws';
import { frameStart, writeTextFrame } from '../../gateway/subscriptions/fan-out.js';
import { arg, machine, median } from '../harness.js';

/**
 * npm run bench:subscriptions:frames [-- --sockets 5000 --ticks 20 --rounds 5]
 * The CPU the fan-out's write step costs per delivered frame, two ways, in alternating rounds of one run:
 *   - public: `writeTextFrame` as the gateway does it now (ws's public `send` of frame start + payload);
 *   - private: the frame built by hand and written to ws's private `_socket` (what fan-out did before; here
 *     only, for the measurement).
 * The clients are a child process that reads and counts bytes; the figure is this process's CPU time (user +
 * system, so the kernel's socket writes count) from the first write until the clients have every byte.
 */
const socketCount = arg('sockets', 5000);
const ticks = arg('ticks', 20);
const rounds = arg('rounds', 5);
const PAYLOAD = Buffer.from(
  '{"data":{"priceUpdated":{"symbol":"TON","quote":"IRT","value":"123456.25","change24h":"0.5","updatedAt":"2026-12-07T06:00:00.000Z"}}}}',
);

function writePrivate(socket: WebSocket, start: Buffer, payload: Buffer): void {
  const tcp = (socket as unknown as { _socket: { write(chunk: Buffer): boolean } })._socket;
  const length = start.length + payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  start.copy(frame, header);
  payload.copy(frame, header + start.length);
  tcp.write(frame);
}

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
await new Promise<void>((resolve) => wss.once('listening', resolve));
const members: { socket: WebSocket; start: Buffer }[] = [];
wss.on('connection', (socket) => members.push({ socket, start: frameStart(String(members.length)) }));
const sink = fork(new URL('./frame-sink.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });
const once = (event: string) =>
  new Promise<Record<string, unknown>>((resolve) =>
    sink.on('message', function handler(m: Record<string, unknown>) {
      if (m.event === event) {
        sink.off('message', handler);
        resolve(m);
      }
    }),
  );
sink.send({ cmd: 'connect', port: (wss.address() as AddressInfo).port, count: socketCount });
await once('connected');
while (members.length < socketCount) await new Promise((r) => setTimeout(r, 10));

const frameBytes = (m: { start: Buffer }) => 2 + m.start.length + PAYLOAD.length; // every frame here is < 126 bytes
const bytesPerTick = members.reduce((n, m) => n + frameBytes(m), 0);
let sent = 0;

/** CPU µs per frame for `ticks` ticks to every socket, until the clients hold every byte. */
async function round(write: (socket: WebSocket, start: Buffer, payload: Buffer) => void): Promise<number> {
  const cpu = process.cpuUsage();
  for (let t = 0; t < ticks; t++) {
    for (const m of members) write(m.socket, m.start, PAYLOAD);
    sent += bytesPerTick;
    await new Promise((r) => setImmediate(r));
  }
  const drained = once('drained');
  sink.send({ cmd: 'wait', bytes: sent });
  await drained;
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / (ticks * members.length);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const loadBefore = load();
await round(writeTextFrame); // warm-up
await round(writePrivate);
const publicApi: number[] = [];
const privateField: number[] = [];
for (let r = 0; r < rounds; r++) {
  publicApi.push(await round(writeTextFrame));
  privateField.push(await round(writePrivate));
}
sink.send({ cmd: 'close' });
wss.close();
const [pub, priv] = [median(publicApi), median(privateField)];
console.log(
  `\nbench:subscriptions:frames — ${socketCount} sockets, ${ticks} ticks per round, ${rounds} alternating rounds; ${machine()}; load average ${loadBefore} → ${load()}\n`,
);
console.log('| write path | server CPU per frame (µs, median) | all rounds |');
console.log('|---|---:|---|');
console.log(
  `| ws public \`send\` (frame start + payload joined) | ${pub.toFixed(2)} | ${publicApi.map((x) => x.toFixed(2)).join(', ')} |`,
);
console.log(
  `| hand-built frame to ws's private \`_socket\` | ${priv.toFixed(2)} | ${privateField.map((x) => x.toFixed(2)).join(', ')} |`,
);
console.log(`\npublic / private: ${(pub / priv).toFixed(2)}×`);
process.exit(0);
