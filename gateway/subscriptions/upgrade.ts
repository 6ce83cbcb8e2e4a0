import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';

/**
 * A WebSocket server for the HTTP server's upgrades on `path`; upgrades to any other path are refused by
 * closing the connection. No permessage-deflate: fan-out frames are pre-built and small.
 */
export function acceptUpgrades(httpServer: Server, path: string, maxPayload = 64 * 1024): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  httpServer.on('upgrade', (req, socket, head) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname !== path) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  return wss;
}
