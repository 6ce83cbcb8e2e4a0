import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../../platform/http/health.js';
import { EvmSender } from '../../../devnet/evm/evm-sender.js';
import {
  deployTestToken,
  mintTestToken,
  restartLocalEvmChain,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../../devnet/evm/local-chain.js';
import type { DepositReorgedPayload } from '../../../subgraphs/wallet/deposit/deposit.events.js';
import type { ChainWatcherSettings } from '../core/watcher.js';
import {
  createChainSource,
  startChainWatcherWorker,
  watcherSettings,
  type RunningChainWatcher,
} from '../core/watcher.worker.js';
import { startHostileRpcProxy, type HostileRpcProxy } from '../testing/hostile-rpc.js';
import { startWatcherTestEnv, type WatcherTestEnv } from '../testing/watcher-env.js';
import { createEvmSource } from './evm.source.js';

/**
 * Chain pinning (issue 11 #16) and a devnet restarted under the watcher's cursor (#18), on a real hardhat node
 * (chain id 1337) behind a JSON-RPC proxy that turns hostile on demand. The chain is restarted from genesis in
 * the last test.
 */
const ETH = 10n ** 18n;
const USDT = 10n ** 6n;
const CONFIRMATIONS = 3;
const WINDOW = 24;

let chain: LocalEvmChain;
let evm: EvmSender;
let token: string;
let lookalike: string;
let proxy: HostileRpcProxy;
let t: WatcherTestEnv;
const started: RunningChainWatcher[] = [];

interface Line {
  level: number;
  msg: string;
  reason?: string;
  orphaned?: number;
}

function capture(): { lines: Line[]; log: pino.Logger } {
  const lines: Line[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Line), done()) }),
  );
  return { lines, log };
}

/** A watcher on the proxy, pinned to `chainId`, with devnet (reset) or production (halt) behaviour. */
async function watcher(
  options: { chainId?: number | null; production?: boolean; log?: pino.Logger } = {},
): Promise<RunningChainWatcher> {
  const source = createEvmSource({
    network: 'ETH',
    rpcUrl: proxy.url,
    usdtContract: token,
    chainId: options.chainId === undefined ? 1337 : options.chainId,
    resilience: {
      timeoutMs: 5_000,
      retries: 0,
      backoff: { initialMs: 10, maxMs: 50 },
      breaker: { kind: 'consecutive', failures: 1000, halfOpenAfterMs: 100 },
    },
  });
  return start(source, options);
}

async function start(
  source: ReturnType<typeof createEvmSource>,
  options: { production?: boolean; log?: pino.Logger } = {},
): Promise<RunningChainWatcher> {
  const settings: Partial<ChainWatcherSettings> = { allowChainReset: !options.production };
  const w = await startChainWatcherWorker(t.env.config, options.log ?? t.env.log, 'ETH', {
    port: 0,
    start: false,
    source,
    settings,
  });
  started.push(w);
  return w;
}

async function catchUp(w: RunningChainWatcher): Promise<void> {
  const head = await evm.blockNumber();
  for (let i = 0; i < 60; i++) {
    const r = await w.watcher.step();
    if ((r.kind === 'idle' || r.kind === 'advanced') && r.cursor >= head) return;
  }
  throw new Error(`watcher did not reach block ${head}`);
}

async function health(w: RunningChainWatcher): Promise<{ status: number; body: HealthReport }> {
  // the check runs on each request
  const res = await fetch(`${w.url}/health`);
  return { status: res.status, body: (await res.json()) as HealthReport };
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
  lookalike = await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey);
  await mintTestToken(
    chain.rpcUrl,
    chain.accounts[0]!.privateKey,
    lookalike,
    chain.accounts[1]!.address,
    1_000_000n * USDT,
  );
  evm = new EvmSender(chain.rpcUrl, chain.accounts[1]!.privateKey);
  proxy = await startHostileRpcProxy(chain.rpcUrl);
  t = await startWatcherTestEnv({
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_USDT_CONTRACT: token,
    CHAIN_ETH_CONFIRMATIONS: String(CONFIRMATIONS),
    CHAIN_ETH_POLL_MS: '50',
    CHAIN_ETH_START_HEIGHT: '0',
    CHAIN_REORG_WINDOW: String(WINDOW),
  });
}, 120_000);

afterAll(async () => {
  for (const w of started) await w.close().catch(() => undefined);
  await t?.close();
  await proxy?.close();
  await chain?.stop();
});

describe('chain pinning', () => {
  it('production pins mainnet (ETH 1, BSC 56, TRON and TON genesis); production never starts over on another chain', () => {
    const chains = t.env.config.chains;
    expect(watcherSettings(chains, chains.networks.ETH!, true).allowChainReset).toBe(false);
    expect(watcherSettings(chains, chains.networks.ETH!, false).allowChainReset).toBe(true);
  });

  it('a node serving another chain id is refused: halted, nothing recorded, /health 503, an ADMIN ALERT; it resumes once the right chain is back', async () => {
    // The configured source (createChainSource) with a production pin: ETH mainnet is chain id 1, this node is 1337.
    const { lines, log } = capture();
    const source = createChainSource({ ...t.env.config.chains.networks.ETH!, url: proxy.url, evmChainId: 1 }, log);
    const w = await start(source, { production: true, log });
    const alice = await t.newUser('ETH');
    await evm.sendNative(alice.address, ETH);
    await evm.mine(CONFIRMATIONS);
    const result = await w.watcher.step();
    expect(result).toMatchObject({ kind: 'halted', reason: expect.stringMatching(/serves chain id 1337, expected 1/) });
    expect((await w.watcher.step()).kind).toBe('halted'); // checked again on every step while refused
    expect(await t.depositsOf(alice.userId)).toEqual([]);
    expect(await t.sql(`select * from wallet.chain_cursor where network = 'ETH'`)).toEqual([]);
    const h = await health(w);
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({
      status: 'unhealthy',
      dependencies: { database: 'healthy', chain: 'unhealthy' },
      details: { chain: { error: expect.stringMatching(/halted: .*chain id 1337/) } },
    });
    expect(await w.registry.registry.metrics()).toMatch(
      /chain_watcher_halted\{network="ETH",service="chain-watcher-eth"\} 1/,
    );
    expect(lines.filter((l) => l.level === 50 && l.msg.startsWith('ADMIN ALERT: chain watcher halted'))).toHaveLength(
      1,
    );
    await w.close();

    // The right pin on the same node: the watcher records the deposit.
    const ok = await watcher({ chainId: 1337 });
    await catchUp(ok);
    expect((await t.depositsOf(alice.userId)).map((d) => [d.asset, d.status])).toEqual([['ETH', 'CONFIRMING']]);
    await ok.close();
  });

  it('a forged Transfer log from another contract, consistent in every other way, is not credited', async () => {
    const w = await watcher();
    await catchUp(w);
    const bob = await t.newUser('ETH');
    // A real transfer of the look-alike token (same name and symbol, another address) and a forged log claiming it.
    await evm.sendToken(lookalike, bob.address, 500n * USDT);
    await evm.sendToken(token, bob.address, 7n * USDT);
    proxy.setMode('foreign-log', { forgedTo: bob.address, token: lookalike });
    for (let i = 0; i < 3; i++)
      await expect(w.watcher.step()).rejects.toThrow(/log from 0x[0-9a-fA-F]{40}, not a requested contract/);
    expect(await t.depositsOf(bob.userId)).toEqual([]);
    proxy.setMode('honest');
    await evm.mine(CONFIRMATIONS);
    await catchUp(w);
    const deposits = await t.depositsOf(bob.userId);
    expect(deposits.map((d) => [d.asset, d.amount, d.status])).toEqual([
      ['USDT_ETH', (7n * USDT).toString(), 'CONFIRMING'],
    ]);
    expect(await w.registry.registry.metrics()).toMatch(
      /chain_watcher_errors_total\{network="ETH",kind="ProviderParseError",service="chain-watcher-eth"\} 3/,
    );
    await w.close();
  });
});

describe('a node behind the cursor', () => {
  it('on our chain: waits without counting as in step (health turns stale if it lasts), says so once, and goes on when the node catches up', async () => {
    const { lines, log } = capture();
    const w = await watcher({ production: true, log });
    await catchUp(w);
    const inStepAt = w.watcher.status().lastSuccessAt;
    proxy.setMode('regress'); // eth_blockNumber 5 blocks below the real head, for good
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++)
      kinds.push(
        await w.watcher.step().then(
          (r) => r.kind,
          (err: Error) => err.name,
        ),
      );
    // refused 3 times (a head going backwards), then accepted as the node's head: behind the cursor on our own chain
    expect(kinds).toEqual([
      'EvmHeadRegressedError',
      'EvmHeadRegressedError',
      'EvmHeadRegressedError',
      'behind',
      'behind',
      'behind',
    ]);
    expect(w.watcher.status()).toMatchObject({ lastSuccessAt: inStepAt, halted: null });
    expect(lines.filter((l) => l.msg.startsWith('the node is behind the cursor'))).toHaveLength(1);
    proxy.setMode('honest');
    await evm.mine(1);
    await catchUp(w);
    expect(w.watcher.status().lastSuccessAt).toBeGreaterThan(inStepAt);
    await w.close();
  });
});

describe('a devnet chain restarted from genesis under the cursor', () => {
  it('devnet: started over on the new chain (log + metric) and a deposit right after the restart is credited; production: halted, /health 503, never waiting silently', async () => {
    // The old chain advances well past the reorg window; one deposit is sent for credit, one is still pending.
    const dev = await watcher();
    await catchUp(dev);
    const carol = await t.newUser('ETH');
    const credited = await evm.sendNative(carol.address, 2n * ETH);
    await evm.mine(CONFIRMATIONS + 2 * WINDOW);
    const pending = await evm.sendNative(carol.address, 3n * ETH);
    await catchUp(dev);
    const running = await watcher({ production: true }); // a production watcher already in step with the old chain
    await catchUp(running);
    const before = await t.depositsOf(carol.userId);
    expect(before.map((d) => [d.tx_hash, d.status, d.confirm_event_id !== null])).toEqual([
      [credited, 'CONFIRMING', true],
      [pending, 'DETECTED', false],
    ]);
    const oldCursor = (
      await t.sql<{ height: string }>(`select height::text as height from wallet.chain_cursor where network = 'ETH'`)
    )[0]!.height;
    expect(BigInt(oldCursor)).toBeGreaterThan(BigInt(2 * WINDOW));

    // `npm start` again: a new chain from genesis at the same address, the token redeployed, a deposit at once.
    chain = await restartLocalEvmChain(chain);
    expect(await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey)).toBe(token);
    await mintTestToken(
      chain.rpcUrl,
      chain.accounts[0]!.privateKey,
      token,
      chain.accounts[1]!.address,
      1_000_000n * USDT,
    );
    evm = new EvmSender(chain.rpcUrl, chain.accounts[1]!.privateKey);
    const dave = await t.newUser('ETH');
    const fresh = await evm.sendToken(token, dave.address, 40n * USDT);

    // Production, still running: the first step fails (the head went backwards), the next re-verifies the endpoint,
    // sees another chain (a different block 0) and halts, and stays halted.
    const prodCapture = capture();
    const steps = [];
    for (let i = 0; i < 3; i++)
      steps.push(await running.watcher.step().catch((err: Error) => ({ kind: 'failed', name: err.name })));
    expect(steps[0]).toEqual({ kind: 'failed', name: 'EvmHeadRegressedError' });
    expect(steps[1]).toMatchObject({
      kind: 'halted',
      reason: expect.stringMatching(
        /now serves another chain \(chain id 1337, first block [0-9a-f]{64} → chain id 1337, first block [0-9a-f]{64}\)/,
      ),
    });
    expect(steps[2]).toMatchObject({ kind: 'halted' });
    expect((await health(running)).status).toBe(503);
    // Production, a fresh process (the stack restarted): the node's head is far below the cursor: halted, degraded.
    const restarted = await watcher({ production: true, log: prodCapture.log });
    expect(await restarted.watcher.step()).toMatchObject({
      kind: 'halted',
      reason: expect.stringMatching(/below the cursor .* another chain or a node out of sync/),
    });
    expect((await health(restarted)).status).toBe(503);
    expect(
      prodCapture.lines.filter(
        (l) => l.level === 50 && /^ADMIN ALERT: chain watcher halted.*below the cursor/.test(l.msg),
      ),
    ).toHaveLength(1);
    expect(await t.depositsOf(dave.userId)).toEqual([]);
    expect(
      (
        await t.sql<{ height: string }>(`select height::text as height from wallet.chain_cursor where network = 'ETH'`)
      )[0]!.height,
    ).toBe(oldCursor);

    // Devnet, a fresh process: starts over from the new chain's genesis and says so; the deposit is credited.
    const { lines, log } = capture();
    const devRestarted = await watcher({ log });
    expect(await devRestarted.watcher.step()).toMatchObject({ kind: 'reset', cursor: 0n, reorged: 1 });
    expect(
      lines.filter((l) => l.level === 40 && l.msg === 'devnet chain was replaced: starting over on the new chain'),
    ).toEqual([expect.objectContaining({ reason: expect.stringMatching(/below the cursor/), orphaned: 1 })]);
    await evm.mine(CONFIRMATIONS);
    await catchUp(devRestarted);
    const [deposit] = await t.depositsOf(dave.userId);
    expect(deposit).toMatchObject({
      tx_hash: fresh,
      asset: 'USDT_ETH',
      amount: (40n * USDT).toString(),
      status: 'CONFIRMING',
    });
    expect(deposit!.confirm_event_id).not.toBeNull();
    expect(await devRestarted.registry.registry.metrics()).toMatch(
      /chain_watcher_chain_resets_total\{network="ETH",service="chain-watcher-eth"\} 1/,
    );

    // The dead chain's deposits: the pending one is REORGED (no credit, no reversal); the credited one stands.
    const after = await t.depositsOf(carol.userId);
    expect(after.map((d) => [d.tx_hash, d.status, d.confirm_event_id])).toEqual([
      [credited, 'CONFIRMING', before[0]!.confirm_event_id],
      [pending, 'REORGED', null],
    ]);
    const reorged = await t.eventsOf<DepositReorgedPayload>(
      'wallet.deposit.reorged',
      after.map((d) => d.id),
    );
    expect(reorged.map((e) => [e.payload.depositId, e.payload.confirmEventId])).toEqual([[after[1]!.id, null]]);
    expect(await t.sql(`select * from wallet.withdrawal_freeze where user_id = ?`, [carol.userId])).toEqual([]);

    // The old development watcher (its process survived the restart) re-verifies, finds the cursor already on the
    // new chain and goes on without starting over a second time; the production one resumes as well.
    for (const w of [dev, running]) {
      const head = await evm.blockNumber();
      const kinds: string[] = [];
      for (let i = 0; i < 10 && kinds.at(-1) !== 'in step'; i++) {
        const r = await w.watcher.step().catch((err: Error) => ({ kind: err.name }));
        kinds.push(
          (r.kind === 'idle' || r.kind === 'advanced') && 'cursor' in r && r.cursor >= head ? 'in step' : r.kind,
        );
      }
      // dev: its first look at the new chain fails (the head went backwards), the re-verification finds the cursor on it.
      expect(kinds).toEqual(w === dev ? ['EvmHeadRegressedError', 'in step'] : ['in step']);
      expect((await health(w)).status).toBe(200);
    }
    expect(await dev.registry.registry.metrics()).not.toMatch(/chain_watcher_chain_resets_total\{[^}]*\} [1-9]/);
  });
});
