import { Address, beginCell } from '@ton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdtOf } from '../../../platform/money/assets.js';
import { JETTON_OP } from '../../../providers/toncenter/index.js';
import { startTonSimulator, type TonSimulator } from '../../../devnet/ton/toncenter.simulator.js';
import type { DepositReorgedPayload } from '../../../subgraphs/wallet/deposit/deposit.events.js';
import { deriveAddress, mnemonicToSeed } from '../../../subgraphs/wallet/custody/index.js';
import { tonRawAddress, decodeTonAddress } from '../../../chains/address.js';
import { MAINNET_CHAIN_IDENTITY } from '../../../platform/config/chains.js';
import { createToncenterClient } from '../../../providers/toncenter/index.js';
import { ChainIdentityError } from '../../../chains/chain-identity.js';
import { createChainSource, type RunningChainWatcher } from '../core/watcher.worker.js';
import { startWatcherTestEnv, stepUntil, type WatcherTestEnv } from '../testing/watcher-env.js';
import { createTonSource } from './ton.source.js';

const TON = 1_000_000_000n;
const USDT = 1_000_000n;

let sim: TonSimulator;
let t: WatcherTestEnv;
let w: RunningChainWatcher;

const head = () => BigInt(sim.mine(1));

/** A transfer_notification body as a genuine jetton wallet would send it: "you received `amount` jettons". */
function forgedNotification(amount: bigint, from: string): string {
  const parts = decodeTonAddress(from);
  return beginCell()
    .storeUint(JETTON_OP.transferNotification, 32)
    .storeUint(0, 64)
    .storeCoins(amount)
    .storeAddress(Address.parseRaw(tonRawAddress(parts)))
    .storeBit(0)
    .endCell()
    .toBoc()
    .toString('base64');
}

beforeAll(async () => {
  sim = await startTonSimulator({ blockIntervalMs: null });
  t = await startWatcherTestEnv({ CHAIN_TON_API_URL: sim.url, CHAIN_TON_POLL_MS: '50' });
  w = await t.watcher('TON');
});

afterAll(async () => {
  await t?.close();
  await sim?.close();
});

describe('TON deposit watcher on the toncenter simulator', () => {
  it('TON and genuine USDT jettons are credited (1 confirmation); fake jettons, forged notifications, strangers and dust are not', async () => {
    await stepUntil(w, head());
    const alice = await t.newUser('TON');
    const bob = await t.newUser('TON');
    const stranger = deriveAddress(
      await mnemonicToSeed(
        'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
      ),
      'TON',
      5,
    );
    const impersonator = sim.createFakeJetton({ symbol: 'USDT', decimals: 6, impersonate: true });
    const lookalike = sim.createFakeJetton({ symbol: 'USDT', decimals: 6 });

    const ton = sim.send({ to: alice.address, amount: 3n * TON, comment: 'hello' });
    const jetton = sim.send({ to: bob.address, amount: 50n * USDT, jetton: 'USDT' });
    sim.send({ to: bob.address, amount: 5_000n * USDT, jetton: impersonator });
    sim.send({ to: bob.address, amount: 5_000n * USDT, jetton: lookalike });
    sim.send({ to: bob.address, amount: 1n, body: forgedNotification(9_000n * USDT, sim.faucetAddress) });
    sim.send({ to: stranger, amount: 2n * TON });
    sim.send({ to: alice.address, amount: TON / 20n }); // 0.05 TON < 0.1 minimum
    sim.send({ to: bob.address, amount: USDT / 2n, jetton: 'USDT' }); // 0.5 USDT < 1
    await stepUntil(w, head());

    const a = await t.depositsOf(alice.userId);
    expect(a.map((d) => [d.asset, d.amount, d.status])).toEqual([
      ['TON', (3n * TON).toString(), 'CONFIRMING'],
      ['TON', (TON / 20n).toString(), 'IGNORED'],
    ]);
    expect(a[0]).toMatchObject({ tx_hash: ton.recipientTransaction!.hash, to_address: alice.address, output_index: 0 });
    expect(a[0]!.confirm_event_id).not.toBeNull(); // one confirmation: the credit is requested at once
    const b = await t.depositsOf(bob.userId);
    expect(b.map((d) => [d.asset, d.amount, d.status])).toEqual([
      ['USDT_TON', (50n * USDT).toString(), 'CONFIRMING'],
      ['USDT_TON', (USDT / 2n).toString(), 'IGNORED'],
    ]);
    expect(b[0]!.from_address).toBe(sim.faucetAddress);
    expect(jetton.transactions.map((x) => x.hash)).toContain(b[0]!.tx_hash);
    expect(await t.sql(`select * from wallet.deposit where to_address = ?`, [stranger])).toEqual([]);
    const confirmed = await t.eventsOf<{ asset: string; amount: string }>(
      'wallet.deposit.confirmed',
      [...a, ...b].map((d) => d.id),
    );
    expect(confirmed.map((e) => [e.payload.asset, e.payload.amount]).sort()).toEqual([
      ['TON', '3000000000'],
      ['USDT_TON', '50000000'],
    ]);
    expect(usdtOf('TON').contract).toBe(sim.usdtMaster);
  });

  it('a masterchain reorg after the credit was requested → REORGED, reversal requested, withdrawals frozen', async () => {
    await stepUntil(w, head());
    const carol = await t.newUser('TON');
    sim.send({ to: carol.address, amount: 7n * TON });
    await stepUntil(w, BigInt(sim.chain.head.seqno));
    const [before] = await t.depositsOf(carol.userId);
    expect(before!.confirm_event_id).not.toBeNull();
    sim.reorg(2);
    await stepUntil(w, head());
    const [after] = await t.depositsOf(carol.userId);
    expect(after!.status).toBe('REORGED');
    const [event] = await t.eventsOf<DepositReorgedPayload>('wallet.deposit.reorged', [after!.id]);
    expect(event!.payload.confirmEventId).toBe(before!.confirm_event_id);
    expect(await t.sql(`select deposit_id from wallet.withdrawal_freeze where user_id = ?`, [carol.userId])).toEqual([
      { deposit_id: after!.id },
    ]);
  });

  it('malformed answers, timeouts and a lagging indexer → back-off; nothing credited twice or wrongly', async () => {
    const source = createTonSource({
      baseUrl: sim.url,
      apiKey: null,
      usdtMaster: sim.usdtMaster,
      resilience: {
        timeoutMs: 300,
        retries: 0,
        backoff: { initialMs: 10, maxMs: 20 },
        breaker: { kind: 'consecutive', failures: 1000, halfOpenAfterMs: 100 },
        rateLimit: { maxWaitMs: 0, defaultRetryAfterMs: 10 },
      },
    });
    const hostile = await t.watcher('TON', { source });
    await stepUntil(hostile, head());
    const dave = await t.newUser('TON');
    sim.send({ to: dave.address, amount: 4n * TON });
    for (const mode of ['malformed-json', 'server-error', 'hang'] as const) {
      sim.setFailure({ mode });
      await expect(hostile.watcher.step()).rejects.toThrow();
    }
    sim.setFailure(null);
    sim.setHeadLag(2);
    await expect(hostile.watcher.step()).rejects.toThrow();
    sim.setHeadLag(0);
    await Promise.all([stepUntil(hostile, head()), stepUntil(w, BigInt(sim.chain.head.seqno))]);
    const deposits = await t.depositsOf(dave.userId);
    expect(deposits.map((d) => [d.amount, d.status])).toEqual([['4000000000', 'CONFIRMING']]);
    expect((await t.eventsOf('wallet.deposit.confirmed', [deposits[0]!.id])).length).toBe(1);
  });

  it('pinned zero state: a node of another TON network is refused, halted, /health 503; the right zero state passes', async () => {
    const source = createChainSource(
      { ...t.env.config.chains.networks.TON!, genesisHash: MAINNET_CHAIN_IDENTITY.TON.genesisHash },
      t.env.log,
    );
    const refused = await t.watcher('TON', { source, settings: { allowChainReset: false } });
    const frank = await t.newUser('TON');
    sim.send({ to: frank.address, amount: 2n * TON });
    head();
    expect(await refused.watcher.step()).toMatchObject({
      kind: 'halted',
      reason: expect.stringMatching(/first block is [0-9a-f]{64}, expected 17a3a929/),
    });
    expect((await fetch(`${refused.url}/health`)).status).toBe(503);
    expect(await refused.registry.registry.metrics()).toMatch(
      /chain_watcher_halted\{network="TON",service="chain-watcher-ton"\} 1/,
    );
    // The zero state the simulator reports (getMasterchainInfo init.root_hash) passes the pin.
    const zeroState = (await createToncenterClient({ baseUrl: sim.url, apiKey: null }).getMasterchainInfo())
      .initRootHash;
    const pinned = (hash: string) =>
      createTonSource({ baseUrl: sim.url, apiKey: null, usdtMaster: sim.usdtMaster, zeroStateHash: hash });
    expect(await pinned(zeroState).verify()).toEqual({ chainId: null, genesis: zeroState });
    await expect(pinned(MAINNET_CHAIN_IDENTITY.TON.genesisHash).verify()).rejects.toBeInstanceOf(ChainIdentityError);
  });
});
