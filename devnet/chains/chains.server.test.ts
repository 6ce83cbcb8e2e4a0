import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToncenterClient } from '../../providers/toncenter/index.js';
import { createTronGridClient } from '../../providers/trongrid/index.js';
import { deriveAddress, mnemonicToSeed } from '../../subgraphs/wallet/custody/index.js';
import { startDevnetChains, type DevnetChains } from './chains.server.js';
import { DEVNET_CHAIN_PORTS, devnetChainUrls } from './ports.js';

let chains: DevnetChains;
let seed: Uint8Array;

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  seed = await mnemonicToSeed(
    'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
  );
  // Ephemeral ports here; main.ts uses DEVNET_TRON_PORT / DEVNET_TON_PORT (defaults: DEVNET_CHAIN_PORTS).
  chains = await startDevnetChains({
    host: '127.0.0.1',
    ports: { tron: 0, ton: 0 },
    tronBlockIntervalMs: null,
    tonBlockIntervalMs: null,
    log: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await chains?.close();
});

describe('devnet chains entrypoint', () => {
  it('documents fixed ports and the URLs other processes use', () => {
    expect(DEVNET_CHAIN_PORTS).toEqual({ tron: 4290, ton: 4291 });
    expect(devnetChainUrls()).toEqual({ tron: 'http://127.0.0.1:4290', ton: 'http://127.0.0.1:4291' });
  });

  it('serves /health with the head of each chain', async () => {
    for (const [name, url] of Object.entries(chains.urls)) {
      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', service: `devnet-${name}`, head: expect.any(Number) });
    }
  });

  it('HTTP faucet on TRON: TRX and USDT arrive where the TronGrid client reads them', async () => {
    const to = deriveAddress(seed, 'TRON', 11);
    const trx = await post(`${chains.urls.tron}/devnet/faucet`, { to, amount: '3000000' });
    expect(trx.status).toBe(200);
    const usdt = await post(`${chains.urls.tron}/devnet/faucet`, { to, amount: '12500000', token: 'USDT' });
    expect(usdt.body).toMatchObject({ txID: expect.stringMatching(/^[0-9a-f]{64}$/), blockNumber: expect.any(Number) });
    const client = createTronGridClient({ baseUrl: chains.urls.tron, apiKey: null, resilience: { retries: 0 } });
    expect(await client.getBalance(to)).toBe(3_000_000n);
    expect(await client.trc20BalanceOf(chains.tron.usdtContract, to)).toBe(12_500_000n);
  });

  it('HTTP faucet on TON: TON and USDT jettons, with a comment', async () => {
    const to = deriveAddress(seed, 'TON', 11);
    await post(`${chains.urls.ton}/devnet/faucet`, { to, amount: '2000000000', comment: 'devnet deposit' });
    const jetton = await post(`${chains.urls.ton}/devnet/faucet`, { to, amount: '5000000', token: 'USDT' });
    expect(jetton.body).toMatchObject({
      mcSeqno: expect.any(Number),
      traceId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const client = createToncenterClient({ baseUrl: chains.urls.ton, apiKey: null, resilience: { retries: 0 } });
    const wallet = await client.getJettonWalletAddress(chains.ton.usdtMaster, to);
    expect((await client.getJettonWalletData(wallet))?.balance).toBe(5_000_000n);
    const txs = await client.getTransactions({ account: to, sort: 'asc' });
    expect(txs[0]!.inMsg?.comment).toBe('devnet deposit');
  });

  it('mine and reorg controls', async () => {
    const before = (await post(`${chains.urls.tron}/devnet/mine`, { blocks: 3 })).body.head as number;
    const reorged = await post(`${chains.urls.tron}/devnet/reorg`, { depth: 2 });
    expect(reorged.body).toMatchObject({ head: before });
    expect((await post(`${chains.urls.ton}/devnet/mine`, {})).status).toBe(200);
    expect((await post(`${chains.urls.ton}/devnet/reorg`, { depth: 1, reinclude: true })).status).toBe(200);
  });

  it('bad requests are 400 with a reason, never 500', async () => {
    const cases: Array<[string, unknown]> = [
      [`${chains.urls.tron}/devnet/faucet`, { to: 'nope', amount: '1' }],
      [`${chains.urls.tron}/devnet/faucet`, { to: deriveAddress(seed, 'TRON', 1), amount: '-5' }],
      [`${chains.urls.tron}/devnet/faucet`, { to: deriveAddress(seed, 'TRON', 1), amount: '1', token: 'DOGE' }],
      [`${chains.urls.ton}/devnet/faucet`, { to: deriveAddress(seed, 'TON', 1), amount: '1.5' }],
      [`${chains.urls.ton}/devnet/reorg`, { depth: 100_000 }],
      [`${chains.urls.ton}/devnet/mine`, { blocks: 'many' }],
    ];
    for (const [url, body] of cases) {
      const res = await post(url, body);
      expect(res.status, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
  });
});
