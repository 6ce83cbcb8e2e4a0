import { createServer, type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from './http.client.js';
import { proxyFetchInit } from './proxy.js';
import { sendJson, startSimulatorServer } from '../../devnet/http/simulator.server.js';

/** A CONNECT proxy (what HTTPS_PROXY points at) that counts the tunnels it opened. */
async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; server: Server }> {
  const tunnels: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, socket, head) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels, server };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

describe('proxyFetchInit (HTTPS_PROXY)', () => {
  it('sends the provider calls through the proxy tunnel; without a proxy they go direct', async () => {
    const target = await startSimulatorServer((_req, res) => sendJson(res, 200, { ok: true }));
    closers.push(() => target.close());
    const proxy = await startConnectProxy();
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          proxy.server.closeAllConnections();
          proxy.server.close(() => resolve());
        }),
    );
    const viaProxy = createHttpClient({ name: 'x', baseUrl: target.url, fetchInit: proxyFetchInit(proxy.url) });
    expect((await viaProxy.get('/a')).data).toEqual({ ok: true });
    expect(proxy.tunnels).toEqual([new URL(target.url).host]);

    expect(proxyFetchInit(null)).toBeUndefined();
    const direct = createHttpClient({ name: 'x', baseUrl: target.url, fetchInit: proxyFetchInit('') });
    await direct.get('/b');
    expect(proxy.tunnels).toHaveLength(1);
  });
});
