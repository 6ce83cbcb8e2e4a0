import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdtOf } from '../../../platform/money/assets.js';
import { startSimulatorServer } from '../../../devnet/http/simulator.server.js';
import {
  createTronSimulator,
  startTronSimulator,
  type TronSimulator,
} from '../../../devnet/tron/trongrid.simulator.js';
import type { DepositReorgedPayload } from '../../../subgraphs/wallet/deposit/deposit.events.js';
import { deriveAddress, mnemonicToSeed } from '../../../subgraphs/wallet/custody/index.js';
import { MAINNET_CHAIN_IDENTITY } from '../../../platform/config/chains.js';
import { ChainIdentityError } from '../../../chains/chain-identity.js';
import { createChainSource, type RunningChainWatcher } from '../core/watcher.worker.js';
import { startWatcherTestEnv, stepUntil, type WatcherTestEnv } from '../testing/watcher-env.js';
import { createTronSource } from './tron.source.js';

const TRX = 1_000_000n;
const USDT = 1_000_000n;
const CONFIRMATIONS = 19; // the brief's default for TRON (solidified)

let sim: TronSimulator;
let t: WatcherTestEnv;
let w: RunningChainWatcher;

const head = () => BigInt(sim.chain.head.number);

beforeAll(async () => {
  sim = await startTronSimulator({ blockIntervalMs: null });
  t = await startWatcherTestEnv({ CHAIN_TRON_API_URL: sim.url, CHAIN_TRON_POLL_MS: '50' });
  w = await t.watcher('TRON');
});

afterAll(async () => {
  await t?.close();
  await sim?.close();
});

describe('TRON deposit watcher on the TronGrid simulator', () => {
  it('TRX and USDT (TRC20) to our addresses; a look-alike USDT, a stranger and dust are not credited; confirmed after 19 blocks, once', async () => {
    await stepUntil(w, head());
    const alice = await t.newUser('TRON');
    const bob = await t.newUser('TRON');
    const stranger = deriveAddress(
      await mnemonicToSeed(
        'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
      ),
      'TRON',
      7,
    );
    const fake = sim.addToken({ symbol: 'USDT', name: 'Tether USD', decimals: 6 });
    expect(fake).not.toBe(usdtOf('TRON').contract);

    const trx = sim.send({ to: alice.address, amount: 150n * TRX });
    const usdt = sim.send({ to: bob.address, amount: 40n * USDT, token: 'USDT' });
    sim.send({ to: bob.address, amount: 1_000n * USDT, token: fake });
    sim.send({ to: stranger, amount: 5n * TRX });
    sim.send({ to: alice.address, amount: TRX / 2n }); // 0.5 TRX < 1 TRX minimum
    sim.send({ to: bob.address, amount: USDT / 2n, token: 'USDT' }); // 0.5 USDT < 1
    await stepUntil(w, head());

    const a = await t.depositsOf(alice.userId);
    expect(a.map((d) => [d.asset, d.amount, d.status, d.output_index])).toEqual([
      ['TRX', (150n * TRX).toString(), 'CONFIRMING', 0],
      ['TRX', (TRX / 2n).toString(), 'IGNORED', 0],
    ]);
    expect(a[0]).toMatchObject({ tx_hash: trx.txID, to_address: alice.address, from_address: sim.faucetAddress });
    const b = await t.depositsOf(bob.userId);
    expect(b.map((d) => [d.asset, d.amount, d.status])).toEqual([
      ['USDT_TRON', (40n * USDT).toString(), 'CONFIRMING'],
      ['USDT_TRON', (USDT / 2n).toString(), 'IGNORED'],
    ]);
    expect(b[0]!.tx_hash).toBe(usdt.txID);
    expect(await t.sql(`select * from wallet.deposit where to_address = ?`, [stranger])).toEqual([]);
    expect(a[0]!.confirm_event_id).toBeNull();

    sim.mine(CONFIRMATIONS - 8); // the TRX deposit, six blocks deep already, reaches 17
    await stepUntil(w, head());
    expect((await t.depositsOf(alice.userId))[0]!.confirm_event_id).toBeNull(); // 19 blocks not reached yet
    sim.mine(5);
    await stepUntil(w, head());
    const [trxDeposit] = await t.depositsOf(alice.userId);
    const [usdtDeposit] = await t.depositsOf(bob.userId);
    expect(trxDeposit!.confirm_event_id).not.toBeNull();
    expect(usdtDeposit!.confirm_event_id).not.toBeNull();
    sim.mine(3);
    await stepUntil(w, head());
    const confirmed = await t.eventsOf<{ asset: string; amount: string }>('wallet.deposit.confirmed', [
      trxDeposit!.id,
      usdtDeposit!.id,
    ]);
    expect(confirmed.map((e) => [e.payload.asset, e.payload.amount]).sort()).toEqual([
      ['TRX', '150000000'],
      ['USDT_TRON', '40000000'],
    ]);
  });

  it('a reorg that drops a deposit → REORGED; one that re-includes it → detected again in its new block, credited once', async () => {
    await stepUntil(w, head());
    const carol = await t.newUser('TRON');
    const dropped = sim.send({ to: carol.address, amount: 3n * TRX });
    await stepUntil(w, head());
    sim.reorg(1); // gone for good (the simulator does not re-include it)
    sim.mine(1);
    await stepUntil(w, head());
    const [gone] = await t.depositsOf(carol.userId);
    expect(gone).toMatchObject({ tx_hash: dropped.txID, status: 'REORGED', confirm_event_id: null });

    const back = sim.send({ to: carol.address, amount: 4n * TRX });
    sim.mine(1);
    await stepUntil(w, head());
    const before = (await t.depositsOf(carol.userId)).find((d) => d.tx_hash === back.txID)!;
    sim.reorg(2, { reinclude: true });
    await stepUntil(w, head());
    const after = (await t.depositsOf(carol.userId)).find((d) => d.tx_hash === back.txID)!;
    expect(after.id).toBe(before.id);
    expect(after.status).not.toBe('REORGED');
    expect(after.block_number).not.toBe('');
    const reorged = await t.eventsOf<DepositReorgedPayload>('wallet.deposit.reorged', [after.id]);
    expect(reorged.length).toBe(1);
    expect((await t.eventsOf('wallet.deposit.detected', [after.id])).length).toBe(2);
    sim.mine(CONFIRMATIONS);
    await stepUntil(w, head());
    expect((await t.eventsOf('wallet.deposit.confirmed', [after.id])).length).toBe(1);
  });

  it('bad node answers (malformed JSON, 500s, timeouts, a lagging head) → back-off, nothing wrong, then it catches up', async () => {
    const source = createTronSource({
      baseUrl: sim.url,
      apiKey: null,
      usdtContract: usdtOf('TRON').contract!,
      resilience: {
        timeoutMs: 300,
        retries: 0,
        backoff: { initialMs: 10, maxMs: 20 },
        breaker: { kind: 'consecutive', failures: 1000, halfOpenAfterMs: 100 },
      },
    });
    const hostile = await t.watcher('TRON', { source });
    await stepUntil(hostile, head());
    const dave = await t.newUser('TRON');
    sim.send({ to: dave.address, amount: 9n * TRX });
    for (const mode of ['malformed-json', 'server-error', 'hang'] as const) {
      sim.setFailure({ mode });
      await expect(hostile.watcher.step()).rejects.toThrow();
    }
    sim.setFailure(null);
    sim.setHeadLag(3);
    await expect(hostile.watcher.step()).rejects.toThrow(/backwards|regress/i);
    expect(await t.depositsOf(dave.userId)).toEqual([]);
    sim.setHeadLag(0);
    sim.mine(CONFIRMATIONS);
    await stepUntil(hostile, head());
    const deposits = await t.depositsOf(dave.userId);
    expect(deposits.map((d) => [d.amount, d.status])).toEqual([['9000000', 'CONFIRMING']]);
    expect(deposits[0]!.confirm_event_id).not.toBeNull();
    expect(await hostile.registry.registry.metrics()).toMatch(
      /chain_watcher_errors_total\{network="TRON",kind="TronHeadRegressedError",service="chain-watcher-tron"\} 1/,
    );
  });

  it('pinned genesis: a node serving another chain (no mainnet block 0) is refused, halted, /health 503; unpinned, the simulator passes', async () => {
    const source = createChainSource(
      { ...t.env.config.chains.networks.TRON!, genesisHash: MAINNET_CHAIN_IDENTITY.TRON.genesisHash },
      t.env.log,
    );
    const refused = await t.watcher('TRON', { source, settings: { allowChainReset: false } });
    const erin = await t.newUser('TRON');
    sim.send({ to: erin.address, amount: 5n * TRX });
    sim.mine(CONFIRMATIONS);
    expect(await refused.watcher.step()).toMatchObject({
      kind: 'halted',
      reason: expect.stringMatching(/first block is missing, expected 00000000000000001ebf/),
    });
    const res = await fetch(`${refused.url}/health`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { details: { chain: { error: string } } }).details.chain.error).toMatch(
      /^halted: the endpoint serves another chain/,
    );
    expect(await refused.registry.registry.metrics()).toMatch(
      /chain_watcher_halted\{network="TRON",service="chain-watcher-tron"\} 1/,
    );
    // Unpinned (development), the simulator's chain is accepted; it starts at a mainnet-like height, so it serves no block 0.
    const unpinned = createTronSource({ baseUrl: sim.url, apiKey: null, usdtContract: usdtOf('TRON').contract! });
    expect(await unpinned.verify()).toEqual({ chainId: null, genesis: null });
    const pinned = createTronSource({
      baseUrl: sim.url,
      apiKey: null,
      usdtContract: usdtOf('TRON').contract!,
      genesisHash: MAINNET_CHAIN_IDENTITY.TRON.genesisHash,
    });
    await expect(pinned.verify()).rejects.toBeInstanceOf(ChainIdentityError);
  });

  it('a devnet simulator restarted under the cursor: the watcher starts over at the new chain’s first block and credits a deposit made right after', async () => {
    // One URL whose chain can be replaced, as `npm start` replaces the devnet's TronGrid simulator.
    let current = createTronSimulator({ blockIntervalMs: null });
    const server = await startSimulatorServer((req, res, url) => current.handler(req, res, url));
    try {
      const source = createTronSource({
        baseUrl: server.url,
        apiKey: null,
        usdtContract: usdtOf('TRON').contract!,
        resilience: {
          timeoutMs: 2_000,
          retries: 0,
          backoff: { initialMs: 10, maxMs: 20 },
          breaker: { kind: 'consecutive', failures: 1000, halfOpenAfterMs: 100 },
        },
      });
      const w = await t.watcher('TRON', { source, settings: { allowChainReset: true } });
      const resets = async () =>
        Number(/chain_watcher_chain_resets_total\{[^}]*\} (\d+)/.exec(await w.registry.registry.metrics())?.[1] ?? 0);
      current.mine(400); // well past the cursor other tests left and past the 256 stored hashes
      for (let i = 0; i < 30; i++) {
        const r = await w.watcher.step().catch(() => null);
        if (r && (r.kind === 'idle' || r.kind === 'advanced') && r.cursor >= BigInt(current.chain.head.number)) break;
      }
      const before = await resets();

      current.stop();
      current = createTronSimulator({ blockIntervalMs: null }); // a new chain from its first block, far below the cursor
      const hank = await t.newUser('TRON');
      current.send({ to: hank.address, amount: 6n * TRX });
      let reset: Awaited<ReturnType<typeof w.watcher.step>> | null = null;
      for (let i = 0; i < 10 && reset?.kind !== 'reset'; i++) reset = await w.watcher.step().catch(() => null);
      expect(reset).toMatchObject({ kind: 'reset', cursor: BigInt(current.chain.startHeight) });
      expect(await resets()).toBe(before + 1);
      current.mine(CONFIRMATIONS);
      await stepUntil(w, BigInt(current.chain.head.number));
      const deposits = await t.depositsOf(hank.userId);
      expect(deposits.map((d) => [d.asset, d.amount, d.status])).toEqual([
        ['TRX', (6n * TRX).toString(), 'CONFIRMING'],
      ]);
      expect(deposits[0]!.confirm_event_id).not.toBeNull();
    } finally {
      current.stop();
      await server.close();
    }
  });
});
