import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EvmSender } from '../../devnet/evm/evm-sender.js';
import {
  deployTestToken,
  mintTestToken,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../devnet/evm/local-chain.js';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { signInStaff } from '../../testing/viewers.js';
import { verifyLedger } from '../../subgraphs/ledger/core/verifier.js';
import { startChainWatcherWorker, type RunningChainWatcher } from './core/watcher.worker.js';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.js';

/**
 * Deposits end to end on a local EVM chain: watcher → wallet outbox → relay → JetStream → the ledger's
 * postings consumer → ledger.transaction.committed → wallet (CREDITED) → graphql-ws pushes through the gateway.
 * Everything talks to NATS through a TCP proxy so the last test can take NATS away from this stack (and only
 * from it: the shared server keeps serving the other test files).
 */

const ETH = 10n ** 18n;
const USDT = 10n ** 6n;
const CONFIRMATIONS = 3;
const NATS_OUTAGE_MS = 30_000;

let chain: LocalEvmChain;
let evm: EvmSender;
let token: string;
let nats: TcpProxy;
let stack: TestStack;
const watchers: RunningChainWatcher[] = [];
const sockets: Client[] = [];

interface DepositNode {
  id: string;
  status: string;
  amount: string;
  confirmations: number;
  asset: { symbol: string };
  transaction: { id: string; kind: string; amount: string } | null;
  reversalTransaction: { id: string; kind: string } | null;
  txHash: string;
}

const DEPOSIT_FIELDS =
  'id status amount confirmations txHash asset { symbol } transaction { id kind amount } reversalTransaction { id kind }';

async function signIn(): Promise<{ token: string; userId: string; address: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user } = res.body.data!.signInWithTelegram;
  const addr = await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, accessToken);
  return { token: accessToken, userId: user.id, address: addr.body.data!.me.depositAddress.address };
}

async function depositsOf(token: string): Promise<DepositNode[]> {
  const res = await gql(
    stack.graphqlUrl,
    `{ me { deposits(first: 50) { edges { node { ${DEPOSIT_FIELDS} } } } } }`,
    {},
    token,
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.me.deposits.edges.map((e: { node: DepositNode }) => e.node);
}

async function balances(token: string): Promise<Record<string, string>> {
  const res = await gql(
    stack.graphqlUrl,
    `{ me { balances(assets: ["ETH", "USDT_ETH"]) { asset { symbol } available } } }`,
    {},
    token,
  );
  expect(res.body.errors).toBeUndefined();
  return Object.fromEntries(
    res.body.data!.me.balances.map((b: { asset: { symbol: string }; available: string }) => [
      b.asset.symbol,
      b.available,
    ]),
  );
}

/** Polls (without mining) until `check` holds. */
async function waitUntil<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Mines a block every 100 ms until `done` holds (deposits need blocks on top to confirm). */
async function mineUntil<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await evm.mine(1);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ledgerDeposits(references: string[]): Promise<{ kind: string; reference: string; amount: string }[]> {
  const em = stack.subgraphs.get('ledger')!.deps.orm.em.fork();
  return em
    .getConnection()
    .execute(
      `select kind, reference, amount::text as amount from ledger.transaction where reference in (select json_array_elements_text(?::json)) order by seq`,
      [JSON.stringify(references)],
    );
}

const referenceOf = (d: Pick<DepositNode, 'txHash'>, index = 0) => `deposit:ETH:${d.txHash}:${index}`;

interface Push<T> {
  data?: T | null;
  errors?: unknown[];
}

function subscribe<T>(token: string, query: string): { received: Push<T>[] } {
  const client = createClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  sockets.push(client);
  const received: Push<T>[] = [];
  client.subscribe<T>(
    { query },
    {
      next: (value) => void received.push(value as Push<T>),
      error: (err) => void received.push({ errors: [err] }),
      complete: () => undefined,
    },
  );
  return { received };
}

async function startWatcher(): Promise<RunningChainWatcher> {
  const w = await startChainWatcherWorker(stack.config, stack.log, 'ETH', { port: 0 });
  watchers.push(w);
  return w;
}

beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 1337 });
  token = await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey);
  await mintTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey, token, chain.accounts[1]!.address, 10n ** 9n * USDT);
  evm = new EvmSender(chain.rpcUrl, chain.accounts[1]!.privateKey);
  nats = await startTcpProxy('127.0.0.1', 4222);
  stack = await startStack({
    NATS_URL: `nats://${nats.address}`,
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_USDT_CONTRACT: token,
    CHAIN_ETH_CONFIRMATIONS: String(CONFIRMATIONS),
    CHAIN_ETH_POLL_MS: '100',
    CHAIN_WATCHER_PORT: '0',
  });
  await startWatcher();
});

afterAll(async () => {
  nats?.restore();
  for (const s of sockets) await s.dispose();
  for (const w of watchers) await w.close().catch(() => undefined);
  await stack?.close();
  await nats?.close();
  await chain?.stop();
});

describe('deposits end to end', () => {
  it('ETH and USDT sent on chain: detected, confirmed after N blocks, credited once; balance and depositUpdated reach a graphql-ws client', async () => {
    const alice = await signIn();
    const bob = await signIn();
    const live = subscribe<{ depositUpdated: DepositNode }>(
      alice.token,
      `subscription { depositUpdated { ${DEPOSIT_FIELDS} } }`,
    );
    const liveBalances = subscribe<{ balanceUpdated: { asset: { symbol: string }; available: string }[] }>(
      alice.token,
      `subscription { balanceUpdated { asset { symbol } available } }`,
    );
    const bobLive = subscribe<{ depositUpdated: DepositNode }>(bob.token, `subscription { depositUpdated { id } }`);
    await new Promise((r) => setTimeout(r, 400));

    await evm.sendNative(alice.address, (3n * ETH) / 2n);
    await evm.sendToken(token, alice.address, 20n * USDT);
    const credited = await mineUntil('both deposits credited', async () => {
      const ds = await depositsOf(alice.token);
      return ds.length === 2 && ds.every((d) => d.status === 'CREDITED') ? ds : null;
    });
    expect(credited.map((d) => [d.asset.symbol, d.amount]).sort()).toEqual([
      ['ETH', '1.5'],
      ['USDT_ETH', '20'],
    ]);
    for (const d of credited) {
      expect(d.confirmations).toBeGreaterThanOrEqual(CONFIRMATIONS);
      expect(d.transaction).toMatchObject({ kind: 'DEPOSIT', amount: d.amount });
    }
    expect(await balances(alice.token)).toEqual({ ETH: '1.5', USDT_ETH: '20' });
    expect(await ledgerDeposits(credited.map((d) => referenceOf(d)))).toHaveLength(2);

    // Found by the hash as a wallet shows it (upper case, no 0x): by its owner and staff, not by someone else.
    const eth = credited.find((d) => d.asset.symbol === 'ETH')!;
    const BY_HASH = `query($h: String!) { depositsByTxHash(network: ETH, txHash: $h) { id status } }`;
    const pasted = eth.txHash.slice(2).toUpperCase();
    expect((await gql(stack.graphqlUrl, BY_HASH, { h: pasted }, alice.token)).body.data!.depositsByTxHash).toEqual([
      { id: eth.id, status: 'CREDITED' },
    ]);
    expect((await gql(stack.graphqlUrl, BY_HASH, { h: pasted }, bob.token)).body.data!.depositsByTxHash).toEqual([]);
    const support = await signInStaff(stack, ['SUPPORT']);
    expect(
      (await gql(stack.graphqlUrl, BY_HASH, { h: eth.txHash }, support.token)).body.data!.depositsByTxHash,
    ).toEqual([{ id: eth.id, status: 'CREDITED' }]);
    expect(
      (await gql(stack.graphqlUrl, BY_HASH, { h: 'not-a-hash' }, alice.token)).body.errors?.[0]?.extensions?.code,
    ).toBe('BAD_USER_INPUT');

    // Every status change was pushed to Alice with the follow-up's selection; nothing to Bob. A push shows the deposit
    // as the follow-up query finds it, so under load an early event's push may already show a later status: the
    // statuses never go backwards and end at CREDITED, one push per event (detected, [confirming,] confirmed, credited).
    const order = ['DETECTED', 'CONFIRMING', 'CREDITED'];
    const pushesOf = (id: string) =>
      live.received.filter((p) => p.data?.depositUpdated.id === id).map((p) => p.data!.depositUpdated.status);
    await mineUntil('the CREDITED pushes', async () => credited.every((d) => pushesOf(d.id).at(-1) === 'CREDITED'));
    for (const d of credited) {
      const statuses = pushesOf(d.id);
      expect(statuses.length).toBeGreaterThanOrEqual(3);
      expect(statuses.map((s) => order.indexOf(s))).toEqual(
        [...statuses.map((s) => order.indexOf(s))].sort((a, b) => a - b),
      );
      expect(statuses.at(-1)).toBe('CREDITED');
    }
    const creditPush = live.received.find((p) => p.data?.depositUpdated.status === 'CREDITED')!.data!.depositUpdated;
    expect(creditPush.transaction?.kind).toBe('DEPOSIT');
    expect(live.received.every((p) => p.errors === undefined)).toBe(true);
    await mineUntil('balanceUpdated pushes', async () => liveBalances.received.length >= 2);
    const pushedBalances = liveBalances.received.flatMap((p) => p.data?.balanceUpdated ?? []);
    expect(pushedBalances).toContainEqual({ asset: { symbol: 'ETH' }, available: '1.5' });
    expect(pushedBalances).toContainEqual({ asset: { symbol: 'USDT_ETH' }, available: '20' });
    expect(bobLive.received).toEqual([]);

    const metrics = await (await fetch(`${stack.subgraphs.get('wallet')!.url.replace('/graphql', '')}/metrics`)).text();
    const count = metrics
      .split('\n')
      .find((l) => l.startsWith('deposit_credit_latency_seconds_count{') && l.includes('network="ETH"'));
    expect(count?.split(' ').at(-1)).toBe('2');
  });

  it('a reorg before the required confirmations → REORGED, never credited', async () => {
    const carol = await signIn();
    const snap = await evm.snapshot();
    await evm.sendNative(carol.address, 2n * ETH);
    const [detected] = await waitUntil('detection', async () => {
      const ds = await depositsOf(carol.token);
      return ds.length === 1 ? ds : null;
    });
    expect(detected?.status).toBe('DETECTED');
    await evm.revert(snap);
    await evm.mine(CONFIRMATIONS + 2);
    const [reorged] = await mineUntil('REORGED', async () => {
      const ds = await depositsOf(carol.token);
      return ds[0]?.status === 'REORGED' ? ds : null;
    });
    expect(reorged!.transaction).toBeNull();
    await evm.mine(CONFIRMATIONS);
    await new Promise((r) => setTimeout(r, 500));
    expect(await ledgerDeposits([referenceOf(reorged!)])).toEqual([]);
    expect(await balances(carol.token)).toEqual({ ETH: '0', USDT_ETH: '0' });
  });

  it('a reorg after the credit → the ledger posts a reversal, withdrawals are frozen, ledger invariants hold', async () => {
    const dave = await signIn();
    await evm.sendToken(token, dave.address, 5n * USDT); // stays: mined before the snapshot
    const snap = await evm.snapshot();
    await evm.sendToken(token, dave.address, 30n * USDT);
    await mineUntil('both credited', async () => {
      const ds = await depositsOf(dave.token);
      return ds.length === 2 && ds.every((d) => d.status === 'CREDITED');
    });
    expect(await balances(dave.token)).toEqual({ ETH: '0', USDT_ETH: '35' });
    await evm.revert(snap);
    await evm.mine(CONFIRMATIONS + 3);
    const ds = await mineUntil('the reversal', async () => {
      const all = await depositsOf(dave.token);
      return all.some((d) => d.status === 'REORGED' && d.reversalTransaction) ? all : null;
    });
    const reorged = ds.find((d) => d.status === 'REORGED')!;
    expect(reorged.amount).toBe('30');
    expect(reorged.transaction?.kind).toBe('DEPOSIT');
    expect(reorged.reversalTransaction?.kind).toBe('REVERSAL');
    expect(ds.find((d) => d.amount === '5')!.status).toBe('CREDITED');
    expect(await balances(dave.token)).toEqual({ ETH: '0', USDT_ETH: '5' });
    const frozen = await gql(stack.graphqlUrl, `{ me { withdrawalsFrozen } }`, {}, dave.token);
    expect(frozen.body.data!.me.withdrawalsFrozen).toBe(true);
    const kinds = (await ledgerDeposits([referenceOf(reorged)])).map((t) => t.kind);
    expect(kinds).toEqual(['DEPOSIT', 'REVERSAL']);
    const report = await verifyLedger(stack.subgraphs.get('ledger')!.deps.orm.em.fork());
    expect(report.ok).toBe(true);

    // Staff see the freeze with the deposit that caused it; FINANCE lifts it once the reversal is settled.
    const finance = await signInStaff(stack, ['FINANCE']);
    const list = await gql(
      stack.graphqlUrl,
      `{ withdrawalFreezes(first: 10) { edges { node { user { id } deposit { id status amount } } } } }`,
      {},
      finance.token,
    );
    expect(list.body.data!.withdrawalFreezes.edges.map((e: { node: unknown }) => e.node)).toContainEqual({
      user: { id: dave.userId },
      deposit: { id: reorged.id, status: 'REORGED', amount: '30' },
    });
    const lift = await gql(
      stack.graphqlUrl,
      `mutation($u: ID!) { liftWithdrawalFreeze(userId: $u, note: "reversal posted, nothing spent") { deposit { id } } }`,
      { u: dave.userId },
      finance.token,
    );
    expect(lift.body.data!.liftWithdrawalFreeze.deposit).toEqual({ id: reorged.id });
    expect(
      (await gql(stack.graphqlUrl, `{ me { withdrawalsFrozen } }`, {}, dave.token)).body.data!.me.withdrawalsFrozen,
    ).toBe(false);
  });

  it('two watcher instances at once, one killed and restarted mid-way: every deposit credited exactly once', async () => {
    const erin = await signIn();
    const second = await startWatcher();
    const sent: bigint[] = [];
    for (let i = 1; i <= 6; i++) {
      const amount = ETH / 100n + BigInt(i);
      sent.push(amount);
      await evm.sendNative(erin.address, amount);
      if (i === 3) await second.close(); // killed mid-way; a fresh instance takes over beside the first
      if (i === 4) await startWatcher();
    }
    const ds = await mineUntil('six credited', async () => {
      const all = await depositsOf(erin.token);
      return all.length === 6 && all.every((d) => d.status === 'CREDITED') ? all : null;
    });
    const ledger = await ledgerDeposits(ds.map((d) => referenceOf(d)));
    expect(ledger.map((t) => t.kind)).toEqual(Array(6).fill('DEPOSIT'));
    expect(ledger.map((t) => BigInt(t.amount)).sort()).toEqual([...sent].sort());
    const total = sent.reduce((a, b) => a + b, 0n);
    expect((await balances(erin.token)).ETH).toBe(`0.${total.toString().padStart(18, '0').replace(/0+$/, '')}`);
  });

  it(`NATS unavailable for ${NATS_OUTAGE_MS / 1000} s during deposits: the outbox holds the credits, all credited once after it returns`, async () => {
    const frank = await signIn();
    nats.cut();
    const amounts = [7n, 8n, 9n].map((n) => n * USDT);
    for (const a of amounts) await evm.sendToken(token, frank.address, a);
    const walletDb = stack.subgraphs.get('wallet')!.deps.orm.em.fork().getConnection();
    // The watcher needs no NATS: it confirms the deposits and writes the credit requests to the outbox.
    const confirmed = await mineUntil('credit requests in the outbox', async () => {
      const rows = await walletDb.execute<{ id: string; tx_hash: string; confirm_event_id: string | null }[]>(
        `select id, tx_hash, confirm_event_id from wallet.deposit where user_id = (select user_id from wallet.wallet where address = ?)`,
        [frank.address],
      );
      return rows.length === 3 && rows.every((r) => r.confirm_event_id !== null) ? rows : null;
    });
    const started = Date.now();
    const pending = await walletDb.execute<{ n: string }[]>(
      `select count(*)::text as n from wallet.outbox where published_at is null and id = any(string_to_array(?, ','))`,
      [confirmed.map((r) => r.confirm_event_id).join(',')],
    );
    expect(pending[0]!.n).toBe('3');
    while (Date.now() - started < NATS_OUTAGE_MS) {
      await evm.mine(1);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(await ledgerDeposits(confirmed.map((r) => `deposit:ETH:${r.tx_hash}:0`))).toEqual([]);
    nats.restore();
    const ds = await mineUntil(
      'credits after NATS is back',
      async () => {
        const all = await depositsOf(frank.token);
        return all.length === 3 && all.every((d) => d.status === 'CREDITED') ? all : null;
      },
      60_000,
    );
    const refs = ds.map((d) => d.transaction!.id);
    expect(new Set(refs).size).toBe(3);
    const ledger = await stack.subgraphs
      .get('ledger')!
      .deps.orm.em.fork()
      .getConnection()
      .execute<{ n: string }[]>(
        `select count(*)::text as n from ledger.transaction where kind = 'DEPOSIT' and user_id = ?`,
        [frank.userId],
      );
    expect(ledger[0]!.n).toBe('3');
    expect((await balances(frank.token)).USDT_ETH).toBe('24');
    expect((await verifyLedger(stack.subgraphs.get('ledger')!.deps.orm.em.fork())).ok).toBe(true);
  });
});
