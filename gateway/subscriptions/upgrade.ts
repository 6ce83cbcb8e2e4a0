import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';

export interface UpgradeOptions {
  /** Largest frame a client may send. Default 64 KiB. */
  maxPayload?: number;
  /** Whether a page on `origin` may open a socket; upgrades that carry no Origin header are not browsers'. */
  originAllowed?: (origin: string, host: string | undefined) => boolean;
}

/**
 * A WebSocket server for the HTTP server's upgrades on `path`; upgrades to any other path are refused by
 * closing the connection, and a browser page on an origin that may not call the API gets 403 before any
 * WebSocket exists. No permessage-deflate: fan-out frames are pre-built and small.
 */
export function acceptUpgrades(httpServer: Server, path: string, options: UpgradeOptions = {}): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? 64 * 1024,
    perMessageDeflate: false,
  });
  httpServer.on('upgrade', (req, socket, head) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname !== path) {
      socket.destroy();
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && options.originAllowed && !options.originAllowed(origin, req.headers.host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  return wss;
}
