import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * Child of bench:subscriptions:frames: opens N WebSocket connections over plain TCP (the upgrade by hand, no
 * frame parsing) and counts the bytes the server sends; told over IPC how many bytes to wait for.
 */
const sockets: Socket[] = [];
let received = 0;
let waitingFor: number | null = null;

function check(): void {
  if (waitingFor !== null && received >= waitingFor) {
    waitingFor = null;
    process.send!({ event: 'drained', received });
  }
}

function open(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let upgraded = false;
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (data: Buffer) => {
      if (!upgraded) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = true;
        received += data.length - end - 4;
        sockets.push(socket);
        resolve();
        return;
      }
      received += data.length;
      check();
    });
  });
}

process.on(
  'message',
  async (m: { cmd: 'connect'; port: number; count: number } | { cmd: 'wait'; bytes: number } | { cmd: 'close' }) => {
    if (m.cmd === 'connect') {
      for (let i = 0; i < m.count; i += 100)
        await Promise.all(Array.from({ length: Math.min(100, m.count - i) }, () => open(m.port)));
      process.send!({ event: 'connected', count: sockets.length });
    } else if (m.cmd === 'wait') {
      waitingFor = m.bytes;
      check();
    } else {
      for (const s of sockets) s.destroy();
      process.exit(0);
    }
  },
);
