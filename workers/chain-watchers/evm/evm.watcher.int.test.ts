import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { computeAddress } from 'ethers';
import pino from 'pino';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployTestToken,
  mintTestToken,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../../devnet/evm/local-chain.js';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { newId } from '../../../platform/ids.js';
import { startSubgraph, type RunningSubgraph } from '../../../platform/service/subgraph.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { walletSubgraph } from '../../../subgraphs/wallet/app.js';
import type { WalletServices } from '../../../subgraphs/wallet/context.js';
import type { DepositReorgedPayload } from '../../../subgraphs/wallet/deposit/deposit.events.js';
import { startChainWatcherWorker, type RunningChainWatcher } from '../core/watcher.worker.js';
import { EvmSender } from '../../../devnet/evm/evm-sender.js';
import { startHostileRpcProxy, type HostileRpcProxy } from '../testing/hostile-rpc.js';
import { createEvmSource } from './evm.source.js';

const ETH = 10n ** 18n;
const USDT = 10n ** 6n;
const CONFIRMATIONS = 3;

let chain: LocalEvmChain;
let evm: EvmSender;
let token: string;
/** A BEP20-like USDT with 18 decimals, for the BSC watcher pointed at the same local chain. */
let token18: string;
let env: TestEnv;
let wallet: RunningSubgraph;
let services: WalletServices;
const running: RunningChainWatcher[] = [];

interface DepositRecord {
  id: string;
  user_id: string;
  asset: string;
  amount: string;
  tx_hash: string;
  output_index: number;
  status: string;
  confirmations: number;
  confirm_event_id: string | null;
  block_number: string;
}

async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
  return wallet.deps.orm.em.fork().getConnection().execute<T[]>(query, params);
}
const depositsOf = (userId: string) =>
  sql<DepositRecord>(
    `select id, user_id, asset, amount::text as amount, tx_hash, output_index, status, confirmations, confirm_event_id, block_number::text as block_number from wallet.deposit where user_id = ? order by id`,
    [userId],
  );
const eventsOf = <P>(subject: string, depositIds: string[]) =>
  sql<{ envelope: { id: string; payload: P & { depositId: string } } }>(
    `select envelope from wallet.outbox where subject = ? order by occurred_at, id`,
    [subject],
  ).then((rows) => rows.map((r) => r.envelope).filter((e) => depositIds.includes(e.payload.depositId)));

async function newUser(network: 'ETH' | 'BSC' = 'ETH'): Promise<{ userId: string; address: string }> {
  const userId = newId('usr');
  const viewer: Viewer = { userId, roles: ['USER'], claims: [], sessionId: null };
  const w = await services.wallets.depositAddress(wallet.deps.orm.em.fork(), viewer, userId, network);
  return { userId, address: w.address };
}

async function watcher(
  options: { url?: string; resilience?: { timeoutMs: number; retries: number }; lines?: string[] } = {},
): Promise<RunningChainWatcher> {
  const settings = env.config.chains.networks.ETH!;
  const source = createEvmSource({
    network: 'ETH',
    rpcUrl: options.url ?? chain.rpcUrl,
    usdtContract: token,
    chainId: 1337,
    resilience: {
      timeoutMs: options.resilience?.timeoutMs ?? 5_000,
      retries: options.resilience?.retries ?? 0,
      backoff: { initialMs: 10, maxMs: 50 },
      breaker: { kind: 'consecutive', failures: 1000, halfOpenAfterMs: 100 },
    },
  });
  const lines = options.lines;
  const log = lines
    ? pino(
        { level: 'debug' },
        new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }),
      )
    : env.log;
  const w = await startChainWatcherWorker(env.config, log, 'ETH', {
    port: 0,
    start: false,
    source,
    settings: { pollMs: settings.pollMs },
  });
  running.push(w);
  return w;
}

/** Steps until the watcher has ingested the chain's head. */
async function catchUp(w: RunningChainWatcher): Promise<void> {
  const head = await evm.blockNumber();
  for (let i = 0; i < 50; i++) {
    const r = await w.watcher.step();
    if ((r.kind === 'idle' || r.kind === 'advanced') && r.cursor >= head) return;
  }
  throw new Error('watcher did not catch up');
}

beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 1337 });
  token = await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey);
  await mintTestToken(
    chain.rpcUrl,
    chain.accounts[0]!.privateKey,
    token,
    chain.accounts[1]!.address,
    1_000_000n * USDT,
  );
  token18 = await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey, { decimals: 18 });
  await mintTestToken(
    chain.rpcUrl,
    chain.accounts[0]!.privateKey,
    token18,
    chain.accounts[1]!.address,
    1_000_000n * ETH,
  );
  evm = new EvmSender(chain.rpcUrl, chain.accounts[1]!.privateKey);
  env = await createTestEnv({
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_USDT_CONTRACT: token,
    CHAIN_ETH_CONFIRMATIONS: String(CONFIRMATIONS),
    CHAIN_ETH_POLL_MS: '50',
    CHAIN_ETH_START_HEIGHT: '0',
    CHAIN_REORG_WINDOW: '64',
    // The same local chain stands in for BSC (its own cursor, its own 18-decimal USDT; no chain-id pin).
    CHAIN_BSC_RPC_URL: chain.rpcUrl,
    CHAIN_BSC_CONFIRMATIONS: '2',
  });
  wallet = await startSubgraph(walletSubgraph, env.config, env.log, 0);
  services = (wallet.app.context!() as { wallet: WalletServices }).wallet;
});

afterAll(async () => {
  for (const w of running) await w.close().catch(() => undefined);
  await wallet?.close();
  if (env) {
    const nc = await connect({ servers: env.config.nats.url });
    await (await nc.jetstreamManager()).streams.delete(env.config.nats.stream).catch(() => undefined);
    await nc.close();
    await env.cleanup();
  }
  await chain?.stop();
});

describe('EVM deposit watcher on a local chain', () => {
  it('detects ETH and USDT to our addresses, ignores dust and strangers, confirms after N blocks, once', async () => {
    const w = await watcher();
    await catchUp(w);
    const alice = await newUser();
    const bob = await newUser();
    const stranger = computeAddress('0x' + randomBytes(32).toString('hex'));
    const ethTx = await evm.sendNative(alice.address, 2n * ETH);
    await evm.sendNative(alice.address, 10n ** 14n); // 0.0001 ETH < 0.001 minimum
    await evm.sendToken(token, bob.address, 4n * USDT); // < 5 USDT minimum on ETH
    await evm.sendNative(stranger, ETH);
    const usdtTx = await evm.sendToken(token, bob.address, 25n * USDT);
    await catchUp(w);

    const a = await depositsOf(alice.userId);
    expect(a.map((d) => [d.asset, d.amount, d.status])).toEqual([
      ['ETH', (2n * ETH).toString(), 'CONFIRMING'],
      ['ETH', (10n ** 14n).toString(), 'IGNORED'],
    ]);
    expect(a[0]).toMatchObject({ tx_hash: ethTx, output_index: 0, confirmations: 5 });
    const b = await depositsOf(bob.userId);
    expect(b.map((d) => [d.asset, d.amount, d.status])).toEqual([
      ['USDT_ETH', (4n * USDT).toString(), 'IGNORED'],
      ['USDT_ETH', (25n * USDT).toString(), 'DETECTED'],
    ]);
    expect(b[1]).toMatchObject({ tx_hash: usdtTx, confirmations: 1 });
    expect(
      (await sql<{ n: string }>(`select count(*)::text as n from wallet.deposit where to_address = ?`, [stranger]))[0]!
        .n,
    ).toBe('0');

    // The ETH deposit already has 5 blocks on top of it: its credit was requested; the USDT one needs more blocks.
    expect(a[0]!.confirm_event_id).not.toBeNull();
    expect(b[1]!.confirm_event_id).toBeNull();
    await evm.mine(CONFIRMATIONS - 1);
    await catchUp(w);
    const usdt = (await depositsOf(bob.userId))[1];
    expect(usdt).toMatchObject({ status: 'CONFIRMING', confirmations: CONFIRMATIONS });
    expect(usdt!.confirm_event_id).not.toBeNull();

    const ids = [a[0]!.id, a[1]!.id, usdt!.id, b[0]!.id];
    const confirmed = await eventsOf<{ amount: string; asset: string; outputIndex: number; txHash: string }>(
      'wallet.deposit.confirmed',
      ids,
    );
    expect(confirmed.map((e) => e.payload.depositId).sort()).toEqual([a[0]!.id, usdt!.id].sort());
    expect(confirmed.find((e) => e.payload.depositId === usdt!.id)!.payload).toMatchObject({
      asset: 'USDT_ETH',
      amount: '25000000',
      txHash: usdtTx,
      userId: bob.userId,
      network: 'ETH',
    });
    expect((await eventsOf('wallet.deposit.detected', ids)).length).toBe(2);
    expect((await eventsOf('wallet.deposit.ignored', ids)).length).toBe(2);

    // More blocks change nothing: each credit is requested once.
    await evm.mine(3);
    await catchUp(w);
    expect((await eventsOf('wallet.deposit.confirmed', ids)).length).toBe(2);
    const metrics = await w.registry.registry.metrics();
    expect(metrics).toMatch(/deposits_detected_total\{network="ETH",service="chain-watcher-eth"\} 2/);
    expect(metrics).toMatch(/chain_watcher_lag_blocks\{network="ETH",service="chain-watcher-eth"\} 0/);
  });

  it('a reorg before the required confirmations → REORGED, no credit requested, nothing frozen', async () => {
    const w = await watcher();
    await catchUp(w);
    const carol = await newUser();
    const snap = await evm.snapshot();
    await evm.sendNative(carol.address, 3n * ETH);
    await catchUp(w);
    expect((await depositsOf(carol.userId))[0]).toMatchObject({ status: 'DETECTED', confirm_event_id: null });
    await evm.revert(snap);
    await evm.mine(3); // a longer, different chain without the deposit
    await catchUp(w);
    const [d] = await depositsOf(carol.userId);
    expect(d).toMatchObject({ status: 'REORGED', confirm_event_id: null });
    const reorged = await eventsOf<DepositReorgedPayload>('wallet.deposit.reorged', [d!.id]);
    expect(reorged.map((e) => e.payload)).toEqual([
      expect.objectContaining({ depositId: d!.id, confirmEventId: null, status: 'REORGED' }),
    ]);
    expect(await sql(`select * from wallet.withdrawal_freeze where user_id = ?`, [carol.userId])).toEqual([]);
    expect((await eventsOf('wallet.deposit.confirmed', [d!.id])).length).toBe(0);
  });

  it('a reorg after the credit was requested → REORGED with the confirm event id (reversal), withdrawals frozen, alert', async () => {
    const w = await watcher();
    await catchUp(w);
    const dave = await newUser();
    const snap = await evm.snapshot();
    await evm.sendToken(token, dave.address, 100n * USDT);
    await evm.mine(CONFIRMATIONS);
    await catchUp(w);
    const [before] = await depositsOf(dave.userId);
    expect(before!.confirm_event_id).not.toBeNull();
    await evm.revert(snap);
    await evm.mine(CONFIRMATIONS + 3);
    await catchUp(w);
    const [after] = await depositsOf(dave.userId);
    expect(after!.status).toBe('REORGED');
    const [reorged] = await eventsOf<DepositReorgedPayload>('wallet.deposit.reorged', [after!.id]);
    expect(reorged!.payload).toMatchObject({
      confirmEventId: before!.confirm_event_id,
      asset: 'USDT_ETH',
      amount: '100000000',
      userId: dave.userId,
    });
    expect(
      await sql(`select user_id, deposit_id from wallet.withdrawal_freeze where user_id = ?`, [dave.userId]),
    ).toEqual([{ user_id: dave.userId, deposit_id: after!.id }]);
    const frozen = await sql<{ envelope: { payload: { userId: string } } }>(
      `select envelope from wallet.outbox where subject = 'wallet.withdrawals.frozen'`,
    );
    expect(frozen.map((f) => f.envelope.payload.userId)).toContain(dave.userId);
    expect(await w.registry.registry.metrics()).toMatch(
      /deposits_reorged_total\{network="ETH",after_credit="true",service="chain-watcher-eth"\} 1/,
    );
  });

  it('two watcher instances at once, and a watcher stopped and restarted mid-way: every deposit recorded and confirmed once', async () => {
    const first = await watcher();
    const second = await watcher();
    await catchUp(first);
    const users = await Promise.all([newUser(), newUser(), newUser()]);
    const sent: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const u of users) sent.push(await evm.sendNative(u.address, ETH + BigInt(round)));
      // both step concurrently, over and over
      await Promise.all([first.watcher.step(), second.watcher.step(), first.watcher.step(), second.watcher.step()]);
    }
    await first.close(); // killed mid-way; deposits keep coming
    for (const u of users) sent.push(await evm.sendToken(token, u.address, 7n * USDT));
    await evm.mine(CONFIRMATIONS);
    const restarted = await watcher();
    await Promise.all([catchUp(restarted), catchUp(second)]);
    await catchUp(restarted);
    const all = (await Promise.all(users.map((u) => depositsOf(u.userId)))).flat();
    expect(all.length).toBe(sent.length);
    expect(new Set(all.map((d) => d.tx_hash))).toEqual(new Set(sent));
    expect(all.every((d) => d.status === 'CONFIRMING' && d.confirm_event_id !== null)).toBe(true);
    const ids = all.map((d) => d.id);
    expect((await eventsOf('wallet.deposit.confirmed', ids)).length).toBe(sent.length);
    expect((await eventsOf('wallet.deposit.detected', ids)).length).toBe(sent.length);
  });

  it('hostile RPC answers (malformed JSON, timeouts, a head going backwards, a head from the future, forged logs) → logged, backed off, nothing wrong recorded', async () => {
    let proxy: HostileRpcProxy | null = null;
    try {
      proxy = await startHostileRpcProxy(chain.rpcUrl);
      const w = await watcher({ url: proxy.url, resilience: { timeoutMs: 300, retries: 0 } });
      await catchUp(w);
      const erin = await newUser();
      const failures = async (mode: Parameters<HostileRpcProxy['setMode']>[0], steps = 3) => {
        proxy!.setMode(mode, { forgedTo: erin.address, token });
        let failed = 0;
        for (let i = 0; i < steps; i++) await w.watcher.step().catch(() => failed++);
        return failed;
      };
      await evm.sendNative(erin.address, ETH);
      expect(await failures('malformed')).toBe(3);
      expect(await failures('hang')).toBe(3);
      expect(await failures('forged-log')).toBe(3);
      expect(await depositsOf(erin.userId)).toEqual([]);
      // A head from the future: the watcher reads only blocks that exist and link; confirmations come from them.
      await failures('future-head', 2);
      expect((await depositsOf(erin.userId)).map((d) => [d.status, d.confirm_event_id])).toEqual([['DETECTED', null]]);
      // Going backwards: refused (and, persisting, accepted as the head), never a rollback without a different hash.
      await failures('regress', 4);
      proxy.setMode('honest');
      await evm.mine(CONFIRMATIONS);
      w.source.resetHead();
      await catchUp(w);
      const deposits = await depositsOf(erin.userId);
      expect(deposits.map((d) => [d.asset, d.amount, d.status])).toEqual([['ETH', ETH.toString(), 'CONFIRMING']]);
      expect(deposits[0]!.confirm_event_id).not.toBeNull();
      const metrics = await w.registry.registry.metrics();
      expect(metrics).toMatch(
        /chain_watcher_errors_total\{network="ETH",kind="ProviderParseError",service="chain-watcher-eth"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /chain_watcher_errors_total\{network="ETH",kind="ProviderTimeoutError",service="chain-watcher-eth"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /chain_watcher_errors_total\{network="ETH",kind="EvmHeadRegressedError",service="chain-watcher-eth"\} [1-9]/,
      );
    } finally {
      await proxy?.close();
    }
  });

  it('the running loop backs off on failures and recovers by itself', async () => {
    const proxy = await startHostileRpcProxy(chain.rpcUrl);
    try {
      const lines: string[] = [];
      const w = await watcher({ url: proxy.url, resilience: { timeoutMs: 300, retries: 0 }, lines });
      const frank = await newUser();
      proxy.setMode('malformed');
      w.watcher.start();
      await evm.sendNative(frank.address, ETH);
      await new Promise((r) => setTimeout(r, 600));
      const whileHostile = proxy.counts().malformed;
      expect(whileHostile).toBeGreaterThan(0);
      expect(whileHostile).toBeLessThan(20); // backed off, not hammering
      expect(await depositsOf(frank.userId)).toEqual([]);
      proxy.setMode('hang');
      const hangUntil = Date.now() + 15_000;
      while (Date.now() < hangUntil && !lines.some((l) => l.includes('"PROVIDER_TIMEOUT"')))
        await new Promise((r) => setTimeout(r, 50));
      proxy.setMode('honest');
      await evm.mine(CONFIRMATIONS);
      const deadline = Date.now() + 20_000;
      while (
        Date.now() < deadline &&
        (await depositsOf(frank.userId)).find((d) => d.confirm_event_id !== null) === undefined
      )
        await new Promise((r) => setTimeout(r, 100));
      expect((await depositsOf(frank.userId)).map((d) => d.status)).toEqual(['CONFIRMING']);
      const health = await fetch(`${w.url}/health`);
      expect(health.status).toBe(200);
      // Each failure was logged at warn with the error and the back-off chosen: a bad answer with its whole error,
      // an endpoint that timed out with its code and message only (routine; a stack trace adds nothing).
      type Line = {
        level: number;
        msg: string;
        err?: { type: string; stack?: string };
        code?: string;
        error?: string;
        backoffMs?: number;
      };
      const failures = lines
        .map((l) => JSON.parse(l) as Line)
        .filter((l) => l.msg === 'chain watcher step failed: backing off');
      const parse = failures.filter((l) => l.err?.type === 'ProviderParseError');
      const timeouts = failures.filter((l) => l.code === 'PROVIDER_TIMEOUT');
      expect(parse.length).toBeGreaterThan(0);
      expect(timeouts.length).toBeGreaterThan(0);
      expect(parse.length + timeouts.length).toBe(failures.length);
      expect(failures.every((l) => l.level === 40 && typeof l.backoffMs === 'number')).toBe(true);
      expect(timeouts.every((l) => l.err === undefined && /no response within \d+ ms/.test(l.error ?? ''))).toBe(true);
      expect(parse.map((l) => l.backoffMs!).at(-1)).toBeGreaterThan(parse[0]!.backoffMs! - 1);
    } finally {
      await proxy.close();
    }
  });

  it('BSC: BEP20 USDT with 18 decimals and BNB, on its own cursor and wallets; the other network’s token is not its USDT', async () => {
    const bsc = await startChainWatcherWorker(env.config, env.log, 'BSC', {
      port: 0,
      start: false,
      source: createEvmSource({ network: 'BSC', rpcUrl: chain.rpcUrl, usdtContract: token18, chainId: null }),
    });
    running.push(bsc);
    const gina = await newUser('BSC');
    await bsc.watcher.step(); // cursor at the head: earlier blocks are not BSC's business
    await evm.sendToken(token18, gina.address, 3n * ETH); // 3 USDT_BSC
    await evm.sendToken(token, gina.address, 50n * USDT); // the ERC20 of the ETH config: not BSC's USDT
    await evm.sendNative(gina.address, ETH / 100n); // 0.01 BNB
    await evm.sendToken(token18, gina.address, ETH / 2n); // 0.5 USDT_BSC < 1 minimum
    for (let i = 0; i < 10; i++) await bsc.watcher.step();
    const deposits = await sql<{
      network: string;
      asset: string;
      amount: string;
      status: string;
      confirm_event_id: string | null;
    }>(
      `select network, asset, amount::text as amount, status, confirm_event_id from wallet.deposit where user_id = ? order by id`,
      [gina.userId],
    );
    expect(deposits.map((d) => [d.network, d.asset, d.amount, d.status])).toEqual([
      ['BSC', 'USDT_BSC', (3n * ETH).toString(), 'CONFIRMING'],
      ['BSC', 'BNB', (ETH / 100n).toString(), 'CONFIRMING'],
      ['BSC', 'USDT_BSC', (ETH / 2n).toString(), 'IGNORED'],
    ]);
    expect(deposits[0]!.confirm_event_id).not.toBeNull();
    expect(
      (await sql<{ network: string }>(`select network from wallet.chain_cursor order by network`)).map(
        (c) => c.network,
      ),
    ).toEqual(['BSC', 'ETH']);
  });
});
