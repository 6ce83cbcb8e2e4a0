import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { publishMarketPrice } from '../../../testing/market-prices.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';
import { parseDecimal } from '../../../providers/http/scaled-decimal.js';
import type { LedgerServices } from '../context.js';
import { accounts } from '../core/accounts.js';
import { draft } from '../core/ledger.types.js';
import { verifyLedger } from '../core/verifier.js';
import { until } from '../../../testing/until.js';

/**
 * Limit orders end to end: placed and cancelled through the gateway, filled by the market's ticks over core NATS
 * (published from the market's connection, as the price feed does), expired by the ledger's sweeper. Fee 20 bps,
 * kept from what the user receives.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({
    LEDGER_ORDER_FEES: '1:0:20',
    LEDGER_LEVEL_LIMITS: '1:USD:-:-:-',
    LEDGER_HOLD_SWEEP_MS: '200',
  });
  await publishMarketPrice(stack, 'TON', 'IRT', '250000');
});

afterAll(async () => {
  await stack?.close();
});

const ledger = () => (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;
const ledgerEm = () => stack.subgraphs.get('ledger')!.deps.orm.em.fork();
const ledgerSql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  ledgerEm().getConnection().execute<T[]>(text, params);

interface Person {
  token: string;
  userId: string;
}

async function signIn(): Promise<Person> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  await until(
    'the ledger to know the user',
    () => ledgerSql(`select 1 from ledger.user_directory where user_id = ?`, [user.id]),
    (r) => r.length === 1,
  );
  return { token: accessToken, userId: user.id };
}

async function fund(p: Person, asset: 'IRT' | 'TON', amount: bigint): Promise<void> {
  const r = await ledger().ledger.commit(
    ledgerEm(),
    draft({
      kind: 'ADJUSTMENT',
      asset,
      amount,
      userId: p.userId,
      actor: 'system:test',
      reason: 'test funding',
      postings: [{ source: accounts.world(asset), destination: accounts.available(p.userId, asset), asset, amount }],
    }),
  );
  expect(r.type).toBe('Transaction');
}

async function balance(account: string): Promise<bigint> {
  const [row] = await ledgerSql<{ s: string }>(
    'select coalesce(sum(amount), 0)::text as s from ledger.balance where account = ?',
    [account],
  );
  return BigInt(row!.s);
}

const ORDER_FIELDS = `id type kind status pay receive fee pair limitSide limitPrice rejectionCode expiresAt transaction { id kind }`;
const PLACE_LIMIT = `mutation($input: PlaceLimitOrderInput!) { placeLimitOrder(input: $input) { ${ORDER_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelOrder(id: $id) { ${ORDER_FIELDS} } }`;

let keys = 0;
async function placeLimit(
  p: Person,
  input: { pair?: string; side: 'BUY' | 'SELL'; amount: string; limitPrice: string; expiresAt?: string },
) {
  return gql(
    stack.graphqlUrl,
    PLACE_LIMIT,
    { input: { pair: 'TON/IRT', idempotencyKey: `lim-${++keys}`, ...input } },
    p.token,
  );
}

const statusOf = async (id: string) =>
  (await ledgerSql<{ status: string }>(`select status from ledger.trade_order where id = ?`, [id]))[0]!.status;

describe('limit orders', () => {
  it('a BUY holds the Toman, rests above the market, and fills once at the limit when a tick crosses it', async () => {
    const alice = await signIn();
    await fund(alice, 'IRT', 1_000_000n);
    const res = await placeLimit(alice, { side: 'BUY', amount: '2', limitPrice: '240000' });
    expect(res.body.errors).toBeUndefined();
    const order = res.body.data!.placeLimitOrder;
    // 2 TON at 240,000 Toman = 480,000 Toman held; the fee (20 bps of 2 TON = 0.004 TON) is kept from the TON
    expect(order).toMatchObject({
      type: 'LIMIT',
      kind: 'BUY',
      status: 'PLACED',
      pay: '480000',
      receive: '1.996',
      fee: '0.004',
      pair: 'TON/IRT',
      limitSide: 'BUY',
      limitPrice: '240000',
      transaction: null,
    });
    expect(await balance(accounts.available(alice.userId, 'IRT'))).toBe(520_000n);
    expect(await balance(accounts.held(alice.userId, 'IRT'))).toBe(480_000n);

    await publishMarketPrice(stack, 'TON', 'IRT', '245000'); // above the limit: nothing
    await ledger().limitOrders.idle();
    expect(await statusOf(order.id)).toBe('PLACED');

    const exTon = await balance(accounts.exchange('TON'));
    // the same crossing tick twice over NATS, plus two rounds racing in this process (as two processes would)
    const tickAt = new Date();
    await publishMarketPrice(stack, 'TON', 'IRT', '239000', tickAt);
    await publishMarketPrice(stack, 'TON', 'IRT', '239000', tickAt);
    const raced = await Promise.all([
      ledger().limitOrders.crossAll('TON', parseDecimal('239000')),
      ledger().limitOrders.crossAll('TON', parseDecimal('239000')),
    ]);
    await until(
      'the fill',
      () => statusOf(order.id),
      (s) => s === 'FILLED',
    );
    await ledger().limitOrders.idle();
    expect(raced.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
    const fills = await ledgerSql(`select id from ledger.transaction where reference = ?`, [`order:${order.id}`]);
    expect(fills).toHaveLength(2); // the hold, then the one fill
    expect(await balance(accounts.available(alice.userId, 'IRT'))).toBe(520_000n);
    expect(await balance(accounts.held(alice.userId, 'IRT'))).toBe(0n);
    expect(await balance(accounts.available(alice.userId, 'TON'))).toBe(1_996_000_000n);
    expect(await balance(accounts.exchange('TON'))).toBe(exTon - 2_000_000_000n);
    const seen = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`,
      { id: order.id },
      alice.token,
    );
    expect(seen.body.data!.order).toMatchObject({ status: 'FILLED', transaction: { kind: 'BUY' } });
  });

  it('a SELL rests below the market; cancel releases the hold, twice is the same answer, a filled order cannot be cancelled', async () => {
    const bob = await signIn();
    await fund(bob, 'TON', 5_000_000_000n);
    const sell = (await placeLimit(bob, { side: 'SELL', amount: '1.5', limitPrice: '300000' })).body.data!
      .placeLimitOrder;
    // 1.5 TON at 300,000 = 450,000 Toman gross; fee 900; receive 449,100
    expect(sell).toMatchObject({ kind: 'SELL', status: 'PLACED', pay: '1.5', receive: '449100', fee: '900' });
    expect(await balance(accounts.held(bob.userId, 'TON'))).toBe(1_500_000_000n);
    const cancelled = await gql(stack.graphqlUrl, CANCEL, { id: sell.id }, bob.token);
    expect(cancelled.body.data!.cancelOrder.status).toBe('CANCELLED');
    expect((await gql(stack.graphqlUrl, CANCEL, { id: sell.id }, bob.token)).body.data!.cancelOrder.status).toBe(
      'CANCELLED',
    );
    expect(await balance(accounts.available(bob.userId, 'TON'))).toBe(5_000_000_000n);
    expect(await balance(accounts.held(bob.userId, 'TON'))).toBe(0n);

    const eve = await signIn();
    expect(errorCode(await gql(stack.graphqlUrl, CANCEL, { id: sell.id }, eve.token))).toBe('NOT_FOUND');

    const fills = (await placeLimit(bob, { side: 'SELL', amount: '1', limitPrice: '200000' })).body.data!
      .placeLimitOrder;
    await ledger().limitOrders.crossAll('TON', parseDecimal('210000'));
    expect(await statusOf(fills.id)).toBe('FILLED');
    const late = await gql(stack.graphqlUrl, CANCEL, { id: fills.id }, bob.token);
    expect(errorCode(late)).toBe('CONFLICT');
    expect(late.body.errors![0]!.extensions).toMatchObject({ status: 'FILLED' });
    // at the limit price, not the better market price: 200,000 − 400 fee
    expect(await balance(accounts.available(bob.userId, 'IRT'))).toBe(199_600n);
  });

  it('expires an unfilled order and releases its hold', async () => {
    const carol = await signIn();
    await fund(carol, 'IRT', 300_000n);
    const order = (
      await placeLimit(carol, {
        side: 'BUY',
        amount: '1',
        limitPrice: '100000',
        expiresAt: new Date(Date.now() + 1_000).toISOString(),
      })
    ).body.data!.placeLimitOrder;
    expect(await balance(accounts.held(carol.userId, 'IRT'))).toBe(100_000n);
    await until(
      'the expiry',
      () => statusOf(order.id),
      (s) => s === 'EXPIRED',
    );
    expect(await balance(accounts.held(carol.userId, 'IRT'))).toBe(0n);
    expect(await balance(accounts.available(carol.userId, 'IRT'))).toBe(300_000n);
    await ledger().limitOrders.crossAll('TON', parseDecimal('50000'));
    expect(await statusOf(order.id)).toBe('EXPIRED');
  });

  it('refuses what the balance cannot hold (REJECTED), bad pairs and replays with another request', async () => {
    const dan = await signIn();
    await fund(dan, 'IRT', 1_000n);
    const poor = await placeLimit(dan, { side: 'BUY', amount: '1', limitPrice: '100000' });
    expect(poor.body.data!.placeLimitOrder).toMatchObject({ status: 'REJECTED', rejectionCode: 'INSUFFICIENT_FUNDS' });
    expect(errorCode(await placeLimit(dan, { pair: 'ETH/TON', side: 'BUY', amount: '1', limitPrice: '1' }))).toBe(
      'BAD_USER_INPUT',
    );
    const input = { pair: 'TON/IRT', side: 'BUY', amount: '0.001', limitPrice: '100000', idempotencyKey: 'dan-same' };
    const a = await gql(stack.graphqlUrl, PLACE_LIMIT, { input }, dan.token);
    const b = await gql(stack.graphqlUrl, PLACE_LIMIT, { input }, dan.token);
    expect(b.body.data!.placeLimitOrder.id).toBe(a.body.data!.placeLimitOrder.id);
    const c = await gql(stack.graphqlUrl, PLACE_LIMIT, { input: { ...input, limitPrice: '99000' } }, dan.token);
    expect(errorCode(c)).toBe('CONFLICT');
  });

  it('cancel races fill: each order ends exactly one way, with exactly its ledger movement', async () => {
    const frank = await signIn();
    await fund(frank, 'IRT', 10_000_000n);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push(
        (await placeLimit(frank, { side: 'BUY', amount: '1', limitPrice: '200000' })).body.data!.placeLimitOrder.id,
      );
    const cancels = ids.map((id) => gql(stack.graphqlUrl, CANCEL, { id }, frank.token));
    const fill = ledger().limitOrders.crossAll('TON', parseDecimal('190000'));
    const answers = await Promise.all(cancels);
    const filled = await fill;
    let cancelled = 0;
    for (const [i, id] of ids.entries()) {
      const status = await statusOf(id);
      const moves = await ledgerSql<{ kind: string; holdId: string }>(
        `select t.kind from ledger.transaction t where t.reference = ? order by t.created_at`,
        [`order:${id}`],
      );
      expect(moves).toHaveLength(2); // the hold, then one of: the fill or the release
      if (status === 'CANCELLED') {
        cancelled++;
        expect(answers[i]!.body.data!.cancelOrder.status).toBe('CANCELLED');
      } else {
        expect(status).toBe('FILLED');
        expect(errorCode(answers[i]!)).toBe('CONFLICT');
      }
    }
    expect(cancelled + filled).toBe(20);
    expect(await balance(accounts.held(frank.userId, 'IRT'))).toBe(0n);
    expect(await balance(accounts.available(frank.userId, 'IRT'))).toBe(10_000_000n - BigInt(filled) * 200_000n);
    expect(await balance(accounts.available(frank.userId, 'TON'))).toBe(BigInt(filled) * 998_000_000n);
  });

  it('a pair with an exposure cap fills order by order and refuses what would pass the cap', async () => {
    const finance = await signInStaff(stack, ['FINANCE']);
    const set = await gql(
      stack.graphqlUrl,
      `mutation { setTradingPair(input: { pair: "ETH/IRT", exposureCapUsd: "5000" }) { exposureCapUsd } }`,
      {},
      finance.token,
    );
    expect(set.body.data!.setTradingPair).toEqual({ exposureCapUsd: '5000' });
    await publishMarketPrice(stack, 'ETH', 'USD', '3500');
    const gus = await signIn();
    await fund(gus, 'IRT', 2_000_000_000n);
    const small = (await placeLimit(gus, { pair: 'ETH/IRT', side: 'BUY', amount: '1', limitPrice: '300000000' })).body
      .data!.placeLimitOrder;
    const big = (await placeLimit(gus, { pair: 'ETH/IRT', side: 'BUY', amount: '2', limitPrice: '300000000' })).body
      .data!.placeLimitOrder;
    await ledger().limitOrders.crossAll('ETH', parseDecimal('290000000'));
    // 1 ETH short is 3,500 USD (under the 5,000 cap); 2 more would be 10,500
    expect(await statusOf(small.id)).toBe('FILLED');
    const refused = (
      await ledgerSql<{ status: string; rejection_code: string }>(
        `select status, rejection_code from ledger.trade_order where id = ?`,
        [big.id],
      )
    )[0]!;
    expect(refused).toEqual({ status: 'REJECTED', rejection_code: 'EXPOSURE_LIMIT_EXCEEDED' });
    expect(await balance(accounts.held(gus.userId, 'IRT'))).toBe(0n);
    expect(await balance(accounts.available(gus.userId, 'IRT'))).toBe(1_700_000_000n);
    expect(await balance(accounts.available(gus.userId, 'ETH'))).toBe(998_000_000_000_000_000n);
  });

  it('leaves the ledger consistent', async () => {
    await ledger().limitOrders.idle();
    const report = await verifyLedger(ledgerEm());
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
