import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  deployTestToken,
  mintTestToken,
  rpc,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../../devnet/evm/local-chain.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { newId } from '../../../platform/ids.js';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { publishMarketPrice } from '../../../testing/market-prices.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';
import { buildKeyring } from '../custody-root/keyring.js';
import type { MasterKeyring } from '../custody/index.js';
import type { ChainPayout } from '../payout/payout.port.js';
import { createChainPayouts } from '../payout/payouts.factory.js';
import { WithdrawalProcessor } from './withdrawal.processor.js';

/**
 * Withdrawals through the gateway on a local EVM chain (hardhat) with the USDT-like token: request (validation,
 * quote, hold in the ledger, refusals as errors), four-eyes approval, the broadcaster's steps (run in this process
 * here; workers/withdrawal-broadcaster has the child-process kill tests), confirmation, the ledger's capture, and
 * withdrawalUpdated over graphql-ws. Level 1 limits are the defaults (USD 1 000 per transaction); ETH is priced
 * 2 000 USD; withdrawals above 100 USD need approval; a new address cools off for one second.
 */

const ETH = 10n ** 18n;
const USDT = 10n ** 6n;
const CONFIRMATIONS = 2;
const COOL_OFF_SECONDS = 1;

let chain: LocalEvmChain;
let token: string;
let stack: TestStack;
let keyring: MasterKeyring;
let payout: ChainPayout;
let processor: WithdrawalProcessor;
const sockets: Client[] = [];

interface User {
  token: string;
  userId: string;
  address: string;
}

const W_FIELDS =
  'id status amount fee internal needsApproval rejectCode txHash confirmations toAddress asset { symbol } transaction { id }';

async function signIn(): Promise<User> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user } = res.body.data!.signInWithTelegram;
  const addr = await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, accessToken);
  return { token: accessToken, userId: user.id, address: addr.body.data!.me.depositAddress.address };
}

function walletEm() {
  return stack.subgraphs.get('wallet')!.deps.orm.em.fork();
}

async function balance(user: User, asset: string): Promise<{ available: string; held: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `query($a: [String!]) { me { balances(assets: $a) { asset { symbol } available held } } }`,
    { a: [asset] },
    user.token,
  );
  expect(res.body.errors).toBeUndefined();
  const row = res.body.data!.me.balances.find((b: { asset: { symbol: string } }) => b.asset.symbol === asset);
  return { available: row?.available ?? '0', held: row?.held ?? '0' };
}

async function waitUntil<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Credits a user as a confirmed deposit does: `wallet.deposit.confirmed` through the wallet's outbox to the ledger. */
async function credit(user: User, asset: string, amount: bigint, expected: string): Promise<void> {
  await walletEm().transactional(async (tx) => {
    recordEvent(tx, 'wallet.deposit.confirmed', 'wallet', {
      depositId: newId('dep'),
      userId: user.userId,
      network: 'ETH',
      asset,
      amount: amount.toString(),
      txHash: `0x${randomBytes(32).toString('hex')}`,
      outputIndex: 0,
    });
  });
  await waitUntil(`${asset} credited`, async () => (await balance(user, asset)).available === expected);
}

async function walletPrice(coin: string, quote: string, value: string): Promise<void> {
  await publishMarketPrice(stack, coin, quote, value);
  await waitUntil(`wallet has ${coin}/${quote}`, async () => {
    const rows = await walletEm().execute('select 1 from wallet.price where coin = ? and quote = ?', [coin, quote]);
    return rows.length > 0;
  });
}

const REQUEST = `mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { ${W_FIELDS} } }`;

function request(user: User, input: Record<string, unknown>) {
  return gql(stack.graphqlUrl, REQUEST, { i: { idempotencyKey: newId('key'), ...input } }, user.token);
}

/** A fresh external address, added and past its cooling-off period. */
async function usableAddress(user: User): Promise<string> {
  const to = `0x${randomBytes(20).toString('hex')}`;
  const res = await gql(
    stack.graphqlUrl,
    `mutation($i: AddWithdrawalAddressInput!) { addWithdrawalAddress(input: $i) { address usableAt } }`,
    { i: { network: 'ETH', address: to } },
    user.token,
  );
  expect(res.body.errors).toBeUndefined();
  await new Promise((r) => setTimeout(r, COOL_OFF_SECONDS * 1000 + 100));
  return res.body.data!.addWithdrawalAddress.address as string;
}

async function statusOf(id: string): Promise<string> {
  const [row] = await walletEm().execute<{ status: string }[]>('select status from wallet.withdrawal where id = ?', [
    id,
  ]);
  return row!.status;
}

/** Runs broadcaster steps (mining a block between them) until the withdrawal is `status`. */
async function drive(id: string, status: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await statusOf(id)) !== status) {
    if (Date.now() > deadline) throw new Error(`withdrawal ${id} did not reach ${status}: ${await statusOf(id)}`);
    await walletEm().execute('update wallet.withdrawal set next_attempt_at = now() where id = ?', [id]);
    await processor.step('ETH');
    await rpc(chain.rpcUrl, 'evm_mine');
  }
}

async function erc20Balance(owner: string): Promise<bigint> {
  return BigInt(
    await rpc<string>(chain.rpcUrl, 'eth_call', [
      { to: token, data: '0x70a08231' + owner.slice(2).toLowerCase().padStart(64, '0') },
      'latest',
    ]),
  );
}

function subscribe<T>(user: User, query: string): T[] {
  const client = createClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.token}` },
    retryAttempts: 0,
  });
  sockets.push(client);
  const received: T[] = [];
  client.subscribe<T>(
    { query },
    {
      next: (value) => void (value.data && received.push(value.data as T)),
      error: () => undefined,
      complete: () => undefined,
    },
  );
  return received;
}

beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 1337 });
  token = await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey);
  stack = await startStack({
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_USDT_CONTRACT: token,
    CHAIN_ETH_CONFIRMATIONS: String(CONFIRMATIONS),
    CHAIN_ETH_CHAIN_ID: '1337',
    WITHDRAWAL_ADDRESS_COOL_OFF_SECONDS: String(COOL_OFF_SECONDS),
    WITHDRAWAL_APPROVAL_THRESHOLD_USD: '100',
    WITHDRAWAL_HOLD_WAIT_MS: '8000',
    LEDGER_LEVEL_LIMITS: '1:USD:1000:2000:10000',
  });
  const wallet = stack.subgraphs.get('wallet')!.deps;
  keyring = buildKeyring(wallet.config);
  const payouts = createChainPayouts({
    em: () => wallet.orm.em.fork(),
    keyring,
    chains: wallet.config.chains,
    payouts: wallet.config.payouts,
    log: stack.log,
  });
  payout = payouts.get('ETH')!;
  processor = new WithdrawalProcessor(
    () => wallet.orm.em.fork(),
    payouts,
    { stuckAfterMs: 600_000, confirmPollMs: 0, retryMs: 10 },
    stack.log,
  );
  const hot = await payout.hotAddress();
  await rpc(chain.rpcUrl, 'hardhat_setBalance', [hot, `0x${(100n * ETH).toString(16)}`]);
  await mintTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey, token, hot, 1_000_000n * USDT);
  await walletPrice('ETH', 'USD', '2000');
  await walletPrice('USDT', 'USD', '1');
}, 120_000);

afterAll(async () => {
  for (const s of sockets) await s.dispose();
  keyring?.destroy();
  await stack?.close();
  await chain?.stop();
});

describe('withdrawals end to end', () => {
  it('ETH below the approval threshold: held at once, signed, broadcast, confirmed, captured; the recipient got exactly the amount; withdrawalUpdated at each step', async () => {
    const alice = await signIn();
    await credit(alice, 'ETH', 2n * ETH, '2');
    const to = await usableAddress(alice);
    const live = subscribe<{ withdrawalUpdated: { id: string; status: string } }>(
      alice,
      'subscription { withdrawalUpdated { id status } }',
    );
    // The subscription must be registered before the first event (the socket handshake and subscribe round trip).
    await new Promise((r) => setTimeout(r, 1000));

    const quote = await gql(
      stack.graphqlUrl,
      `query($i: WithdrawalQuoteInput!) { withdrawalQuote(input: $i) { fee total networkFeeAsset networkFee minimum internal needsApproval } }`,
      { i: { asset: 'ETH', toAddress: to, amount: '0.01' } },
      alice.token,
    );
    expect(quote.body.errors).toBeUndefined();
    expect(quote.body.data!.withdrawalQuote).toMatchObject({
      networkFeeAsset: 'ETH',
      internal: false,
      needsApproval: false,
    });
    expect(Number(quote.body.data!.withdrawalQuote.fee)).toBeGreaterThan(0);

    const res = await request(alice, { asset: 'ETH', toAddress: to, amount: '0.01' });
    expect(res.body.errors).toBeUndefined();
    const w = res.body.data!.requestWithdrawal;
    expect(w.status).toBe('APPROVED');
    expect(w.transaction?.id).toMatch(/^txn_/);
    expect(w.fee).not.toBe('0');
    const afterHold = await balance(alice, 'ETH');
    expect(afterHold.held).not.toBe('0');

    await drive(w.id, 'COMPLETED');
    const done = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { withdrawal(id: $id) { ${W_FIELDS} } }`,
      { id: w.id },
      alice.token,
    );
    expect(done.body.data!.withdrawal.status).toBe('COMPLETED');
    expect(done.body.data!.withdrawal.confirmations).toBeGreaterThanOrEqual(CONFIRMATIONS);
    expect(BigInt(await rpc<string>(chain.rpcUrl, 'eth_getBalance', [to, 'latest']))).toBe(ETH / 100n);

    // The ledger captured the hold: nothing held, available = 2 − 0.01 − fee (exact strings from the ledger).
    const [{ fee: storedFee }] = (await walletEm().execute<{ fee: string }[]>(
      'select fee::text as fee from wallet.withdrawal where id = ?',
      [w.id],
    )) as [{ fee: string }];
    const expected = 2n * ETH - ETH / 100n - BigInt(storedFee);
    await waitUntil('hold captured', async () => {
      const b = await balance(alice, 'ETH');
      return b.held === '0' && b.available === formatEth(expected);
    });
    const seen = () => live.filter((p) => p.withdrawalUpdated.id === w.id).map((p) => p.withdrawalUpdated.status);
    await waitUntil(
      'every step pushed',
      async () => ['APPROVED', 'SIGNED', 'BROADCAST', 'COMPLETED'].every((s) => seen().includes(s)),
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; pushed: ${seen().join(', ')}`);
    });
    const audit = await walletEm().execute<{ to_status: string }[]>(
      'select to_status from wallet.withdrawal_audit where withdrawal_id = ? order by id',
      [w.id],
    );
    expect(audit.map((a) => a.to_status)).toEqual(
      expect.arrayContaining(['REQUESTED', 'APPROVED', 'SIGNED', 'BROADCAST', 'COMPLETED']),
    );
  });

  it('USDT ERC20 above the threshold: PENDING_APPROVAL; its own user (staff) cannot approve it; another approver does; the fee is paid in USDT', async () => {
    const staffUser = await signInStaff(stack, ['FINANCE']);
    const staff: User = { ...staffUser, address: '' };
    const approver = await signInStaff(stack, ['FINANCE']);
    const identity = stack.subgraphs.get('identity')!.deps.orm.em.fork();
    for (const id of [staff.userId, approver.userId])
      await identity.execute(`update identity."user" set claims = '{withdrawals:approve}' where id = ?`, [id]);
    const claimed = await signInStaffAgain(staffUser.userId);
    const approverToken = await signInStaffAgain(approver.userId);
    const owner: User = { ...staff, token: claimed };
    await credit(owner, 'USDT_ETH', 500n * USDT, '500');
    const to = await usableAddress(owner);

    const res = await request(owner, { asset: 'USDT_ETH', toAddress: to, amount: '300' });
    expect(res.body.errors).toBeUndefined();
    const w = res.body.data!.requestWithdrawal;
    expect(w.status).toBe('PENDING_APPROVAL');
    expect(w.needsApproval).toBe(true);
    expect(Number(w.fee)).toBeGreaterThan(0);

    const own = await gql(
      stack.graphqlUrl,
      `mutation($id: ID!) { approveWithdrawal(id: $id) { status } }`,
      { id: w.id },
      claimed,
    );
    expect(errorCode(own)).toBe('FORBIDDEN');
    expect(own.body.errors![0]!.extensions!.reason).toBe('FOUR_EYES');
    const user = await signIn();
    const notStaff = await gql(
      stack.graphqlUrl,
      `mutation($id: ID!) { approveWithdrawal(id: $id) { status } }`,
      { id: w.id },
      user.token,
    );
    expect(errorCode(notStaff)).toBe('FORBIDDEN');

    const ok = await gql(
      stack.graphqlUrl,
      `mutation($id: ID!) { approveWithdrawal(id: $id) { status } }`,
      { id: w.id },
      approverToken,
    );
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data!.approveWithdrawal.status).toBe('APPROVED');
    await drive(w.id, 'COMPLETED');
    expect(await erc20Balance(to)).toBe(300n * USDT);
    const [{ fee }] = (await walletEm().execute<{ fee: string }[]>(
      'select fee::text as fee from wallet.withdrawal where id = ?',
      [w.id],
    )) as [{ fee: string }];
    await waitUntil('USDT hold captured', async () => {
      const b = await balance(owner, 'USDT_ETH');
      return b.held === '0' && b.available === formatUsdt(500n * USDT - 300n * USDT - BigInt(fee));
    });
  });

  it('the setter of an asset’s threshold cannot approve its withdrawals; a rejection releases the hold', async () => {
    const setter = await signInStaff(stack, ['FINANCE']);
    const identity = stack.subgraphs.get('identity')!.deps.orm.em.fork();
    await identity.execute(`update identity."user" set claims = '{withdrawals:approve}' where id = ?`, [setter.userId]);
    const setterToken = await signInStaffAgain(setter.userId);
    const set = await gql(
      stack.graphqlUrl,
      `mutation { setWithdrawalThreshold(asset: "ETH", usd: "50") { asset usd changedBy } }`,
      {},
      setterToken,
    );
    expect(set.body.errors).toBeUndefined();
    const bob = await signIn();
    await credit(bob, 'ETH', ETH, '1');
    const to = await usableAddress(bob);
    const res = await request(bob, { asset: 'ETH', toAddress: to, amount: '0.1' });
    expect(res.body.data!.requestWithdrawal.status).toBe('PENDING_APPROVAL');
    const id = res.body.data!.requestWithdrawal.id;
    const refused = await gql(
      stack.graphqlUrl,
      `mutation($id: ID!) { approveWithdrawal(id: $id) { status } }`,
      { id },
      setterToken,
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const rejected = await gql(
      stack.graphqlUrl,
      `mutation($id: ID!) { rejectWithdrawal(id: $id, reason: "destination flagged") { status rejectCode } }`,
      { id },
      setterToken,
    );
    expect(rejected.body.data!.rejectWithdrawal).toEqual({ status: 'REJECTED', rejectCode: 'REJECTED_BY_STAFF' });
    await waitUntil('hold released', async () => {
      const b = await balance(bob, 'ETH');
      return b.held === '0' && b.available === '1';
    });
    // The user cancels one of their own while it waits; that releases too.
    const again = await request(bob, { asset: 'ETH', toAddress: to, amount: '0.2' });
    const cancel = await gql(
      stack.graphqlUrl,
      `mutation($id: ID!) { cancelWithdrawal(id: $id) { status } }`,
      { id: again.body.data!.requestWithdrawal.id },
      bob.token,
    );
    expect(cancel.body.data!.cancelWithdrawal.status).toBe('CANCELLED');
    await waitUntil('cancelled hold released', async () => (await balance(bob, 'ETH')).available === '1');
    await gql(
      stack.graphqlUrl,
      `mutation { setWithdrawalThreshold(asset: "ETH", usd: "100") { asset } }`,
      {},
      setterToken,
    );
  });

  it('refusals have clear codes and leave the balance as it was: minimum, unknown asset, malformed and wrong-network addresses, memo off TON, cool-off, funds, level limit, frozen, own address', async () => {
    const carol = await signIn();
    await credit(carol, 'ETH', ETH / 10n, '0.1');
    const to = await usableAddress(carol);
    const code = async (input: Record<string, unknown>) => errorCode(await request(carol, input));
    expect(await code({ asset: 'ETH', toAddress: to, amount: '0.0001' })).toBe('WITHDRAWAL_BELOW_MINIMUM');
    expect(await code({ asset: 'DOGE', toAddress: to, amount: '1' })).toBe('BAD_USER_INPUT');
    expect(await code({ asset: 'IRT', toAddress: to, amount: '1' })).toBe('BAD_USER_INPUT');
    expect(await code({ asset: 'ETH', toAddress: to.slice(0, 40), amount: '0.01' })).toBe('BAD_USER_INPUT');
    // A checksummed address with one letter's case flipped fails EIP-55.
    const flipped = to.replace(/[a-f]/, (c) => c.toUpperCase());
    if (flipped !== to) expect(await code({ asset: 'ETH', toAddress: flipped, amount: '0.01' })).toBe('BAD_USER_INPUT');
    expect(await code({ asset: 'ETH', toAddress: 'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7', amount: '0.01' })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code({ asset: 'ETH', toAddress: to, amount: '0.01', memo: 'hi' })).toBe('BAD_USER_INPUT');
    expect(await code({ asset: 'ETH', toAddress: carol.address, amount: '0.01' })).toBe('BAD_USER_INPUT');
    const fresh = `0x${randomBytes(20).toString('hex')}`;
    const cooling = await request(carol, { asset: 'ETH', toAddress: fresh, amount: '0.01' });
    expect(errorCode(cooling)).toBe('ADDRESS_COOLING_OFF');
    expect(cooling.body.errors![0]!.extensions!.usableAt).toBeTruthy();
    expect(await code({ asset: 'ETH', toAddress: to, amount: '0.5' })).toBe('INSUFFICIENT_FUNDS');
    expect(await balance(carol, 'ETH')).toEqual({ available: '0.1', held: '0' });

    const rich = await signIn();
    await credit(rich, 'ETH', 2n * ETH, '2');
    const richTo = await usableAddress(rich);
    // 0.6 ETH = 1 200 USD, over level 1's 1 000 USD per transaction.
    const over = await request(rich, { asset: 'ETH', toAddress: richTo, amount: '0.6' });
    expect(errorCode(over)).toBe('LIMIT_EXCEEDED');
    expect(over.body.errors![0]!.extensions!.period).toBe('TRANSACTION');
    expect(await balance(rich, 'ETH')).toEqual({ available: '2', held: '0' });

    await walletEm().execute(`insert into wallet.withdrawal_freeze (user_id, reason) values (?, 'test reorg')`, [
      rich.userId,
    ]);
    expect(errorCode(await request(rich, { asset: 'ETH', toAddress: richTo, amount: '0.01' }))).toBe('ACCOUNT_FROZEN');
  });

  it('to another user’s deposit address: an internal transfer, free and instant, no cool-off and no chain', async () => {
    const dan = await signIn();
    const erin = await signIn();
    await credit(dan, 'ETH', ETH, '1');
    const res = await request(dan, { asset: 'ETH', toAddress: erin.address.toLowerCase(), amount: '0.25' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.requestWithdrawal).toMatchObject({ status: 'COMPLETED', internal: true, fee: '0' });
    expect(res.body.data!.requestWithdrawal.transaction.id).toMatch(/^txn_/);
    expect(await balance(dan, 'ETH')).toEqual({ available: '0.75', held: '0' });
    expect((await balance(erin, 'ETH')).available).toBe('0.25');
  });

  it('a replayed idempotency key returns the same withdrawal; the same key with other input is CONFLICT; concurrent requests drain the balance exactly', async () => {
    const fay = await signIn();
    await credit(fay, 'ETH', ETH / 10n, '0.1');
    const to = await usableAddress(fay);
    const key = newId('key');
    const first = await request(fay, { asset: 'ETH', toAddress: to, amount: '0.01', idempotencyKey: key });
    const again = await request(fay, { asset: 'ETH', toAddress: to, amount: '0.01', idempotencyKey: key });
    expect(again.body.data!.requestWithdrawal.id).toBe(first.body.data!.requestWithdrawal.id);
    const other = await request(fay, { asset: 'ETH', toAddress: to, amount: '0.02', idempotencyKey: key });
    expect(errorCode(other)).toBe('CONFLICT');

    // 0.09 left; ten requests of 0.02 (+ fee) at once: at most four fit, the rest are INSUFFICIENT_FUNDS.
    const results = await Promise.all(
      Array.from({ length: 10 }, () => request(fay, { asset: 'ETH', toAddress: to, amount: '0.02' })),
    );
    const held = results.filter((r) => !r.body.errors);
    const refused = results.filter((r) => errorCode(r) === 'INSUFFICIENT_FUNDS');
    expect(held.length + refused.length).toBe(10);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThanOrEqual(4);
    const rows = await walletEm().execute<{ amount: string; fee: string }[]>(
      `select amount::text as amount, fee::text as fee from wallet.withdrawal where user_id = ? and status in ('APPROVED', 'PENDING_APPROVAL')`,
      [fay.userId],
    );
    const total = rows.reduce((s, r) => s + BigInt(r.amount) + BigInt(r.fee), 0n);
    const b = await balance(fay, 'ETH');
    expect(b.held).toBe(formatEth(total));
    expect(parseEth(b.available) + parseEth(b.held)).toBe(ETH / 10n);
  });

  it('User.withdrawals pages newest first and filters; staff see the queue, users may not', async () => {
    const gil = await signIn();
    await credit(gil, 'ETH', ETH, '1');
    const to = await usableAddress(gil);
    for (let i = 0; i < 3; i++) await request(gil, { asset: 'ETH', toAddress: to, amount: '0.01' });
    const page = await gql(
      stack.graphqlUrl,
      `{ me { withdrawals(first: 2, filter: { asset: "ETH" }) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`,
      {},
      gil.token,
    );
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data!.me.withdrawals.edges).toHaveLength(2);
    expect(page.body.data!.me.withdrawals.pageInfo.hasNextPage).toBe(true);
    const next = await gql(
      stack.graphqlUrl,
      `query($a: String) { me { withdrawals(first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage } } } }`,
      { a: page.body.data!.me.withdrawals.pageInfo.endCursor },
      gil.token,
    );
    expect(next.body.data!.me.withdrawals.edges).toHaveLength(1);
    const queue = await gql(
      stack.graphqlUrl,
      `{ withdrawals(status: APPROVED, first: 5) { edges { node { id } } } }`,
      {},
      gil.token,
    );
    expect(errorCode(queue)).toBe('FORBIDDEN');
    const support = await signInStaff(stack, ['SUPPORT']);
    const staffQueue = await gql(
      stack.graphqlUrl,
      `{ withdrawals(status: APPROVED, first: 5) { edges { node { id status } } } }`,
      {},
      support.token,
    );
    expect(staffQueue.body.errors).toBeUndefined();
    for (const e of staffQueue.body.data!.withdrawals.edges) expect(e.node.status).toBe('APPROVED');
  });
});

/** Signs a staff member in again (claims are read at sign-in). */
async function signInStaffAgain(userId: string): Promise<string> {
  const identity = stack.subgraphs.get('identity')!.deps.orm.em.fork();
  const [row] = await identity.execute<{ email: string }[]>(
    `select email from identity.admin_credential where user_id = ?`,
    [userId],
  );
  const res = await gql(
    stack.graphqlUrl,
    `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken } }`,
    { e: row!.email, p: 'correct horse battery staple' },
  );
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data!.signInAdmin.accessToken;
}

function formatEth(wei: bigint): string {
  const whole = wei / ETH;
  const frac = (wei % ETH).toString().padStart(18, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

function parseEth(text: string): bigint {
  const [w, f = ''] = text.split('.');
  return BigInt(w!) * ETH + BigInt((f + '0'.repeat(18)).slice(0, 18));
}

function formatUsdt(minor: bigint): string {
  const whole = minor / USDT;
  const frac = (minor % USDT).toString().padStart(6, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}
