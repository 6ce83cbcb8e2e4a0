import { describe, expect, it } from 'vitest';
import { sendJson, startSimulatorServer } from '../../devnet/http/simulator.server.js';
import { startConnectProxy } from '../../testing/connect-proxy.js';
import { closeAfterEach } from '../../testing/provider-fixtures.js';
import { createHttpClient } from './http.client.js';
import { proxyFetchInit } from './proxy.js';

const track = closeAfterEach();

describe('proxyFetchInit (HTTPS_PROXY)', () => {
  it('sends the provider calls through the proxy tunnel; without a proxy they go direct', async () => {
    const target = track(await startSimulatorServer((_req, res) => sendJson(res, 200, { ok: true })));
    const proxy = track(await startConnectProxy());
    const viaProxy = createHttpClient({ name: 'x', baseUrl: target.url, fetchInit: proxyFetchInit(proxy.url) });
    expect((await viaProxy.get('/a')).data).toEqual({ ok: true });
    expect(proxy.tunnels).toEqual([new URL(target.url).host]);

    expect(proxyFetchInit(null)).toBeUndefined();
    const direct = createHttpClient({ name: 'x', baseUrl: target.url, fetchInit: proxyFetchInit('') });
    await direct.get('/b');
    expect(proxy.tunnels).toHaveLength(1);
  });
});
