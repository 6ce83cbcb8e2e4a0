import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { publishMarketPrice } from '../../../testing/market-prices.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';
import type { LedgerServices } from '../context.js';
import { accounts } from '../core/accounts.js';
import { draft } from '../core/ledger.types.js';
import { verifyLedger } from '../core/verifier.js';
import { until } from '../../../testing/until.js';

/**
 * The instant exchange end to end through the gateway: prices over core NATS from the market's connection (as the
 * price feed publishes them), quotes and orders as users, settings as FINANCE staff, the level raise through
 * identity's consumer of `ledger.order.filled`. Spread 50 bps on every pair, fee 20 bps at level 1; expected
 * amounts are worked out by hand in the comments (exact rationals, floor for what the user gets, ceil for what
 * they pay and for the fee).
 */

let stack: TestStack;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startStack({
    LEDGER_ORDER_SPREADS: '*:50',
    LEDGER_ORDER_FEES: '1:0:20,2:0:10',
    LEDGER_ORDER_QUOTE_TTL_SECONDS: '120', // a slow shared machine still places its quotes in time
    LEDGER_ORDER_PRICE_MAX_AGE_SECONDS: '600', // long enough for a slow machine; the stale case is 20 min old
    LEDGER_LEVEL_LIMITS: '1:USD:2000:100000:-',
    LEVEL_THRESHOLDS: '2:volume=2000000',
  });
  await publishMarketPrice(stack, 'TON', 'IRT', '250000');
  await publishMarketPrice(stack, 'TON', 'USD', '3.2');
  await publishMarketPrice(stack, 'USDT', 'IRT', '81234.5');
  await publishMarketPrice(stack, 'USDT', 'USD', '1.0002');
  await publishMarketPrice(stack, 'ETH', 'USD', '3456.78');
  await publishMarketPrice(stack, 'ETH', 'IRT', '281000000');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
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

let funded = 0;
/** Credits minor units: crypto through the deposit path, Toman as an adjustment from world:IRT. */
async function fund(p: Person, asset: 'IRT' | 'ETH' | 'USDT_TRON' | 'TON', amount: bigint): Promise<void> {
  const n = ++funded;
  if (asset === 'IRT') {
    const r = await ledger().ledger.commit(
      ledgerEm(),
      draft({
        kind: 'ADJUSTMENT',
        asset,
        amount,
        userId: p.userId,
        actor: 'system:test',
        reason: 'test funding',
        postings: [{ source: accounts.world('IRT'), destination: accounts.available(p.userId, 'IRT'), asset, amount }],
      }),
    );
    expect(r.type).toBe('Transaction');
    return;
  }
  const network = asset === 'ETH' ? 'ETH' : asset === 'TON' ? 'TON' : 'TRON';
  const r = await ledgerEm().transactional((tx) =>
    ledger().postings.creditDeposit(
      tx,
      {
        depositId: `dep_orders_${n}`,
        userId: p.userId,
        network,
        asset,
        amount,
        txHash: `0xorders${n}`,
        outputIndex: 0,
      },
      'system:test',
    ),
  );
  expect(r.type).toBe('Transaction');
}

/** Σ of an account's balance rows (system accounts are striped). */
async function balance(account: string): Promise<bigint> {
  const [row] = await ledgerSql<{ s: string }>(
    'select coalesce(sum(amount), 0)::text as s from ledger.balance where account = ?',
    [account],
  );
  return BigInt(row!.s);
}

const QUOTE = `mutation($input: TradeQuoteInput!) { quote(input: $input) {
  id side pay receive fee rate spreadBps feeBps expiresAt from { symbol } to { symbol } } }`;
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  id type kind status pay receive fee rejectionCode rejectionMessage from { symbol } to { symbol }
  transaction { id kind amount fee } } }`;

async function quote(p: Person, from: string, to: string, amount: string, side = 'SPEND') {
  return gql(stack.graphqlUrl, QUOTE, { input: { from, to, amount, side } }, p.token);
}

async function quoteId(p: Person, from: string, to: string, amount: string, side = 'SPEND'): Promise<string> {
  const res = await quote(p, from, to, amount, side);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data!.quote as { id: string }).id;
}

async function place(p: Person, id: string, key = `k-${Math.random()}`) {
  return gql(stack.graphqlUrl, PLACE, { input: { quoteId: id, idempotencyKey: key } }, p.token);
}

describe('instant orders', () => {
  it('buys TON with Toman: the quote is exact and the fill moves exactly it', async () => {
    const alice = await signIn();
    await fund(alice, 'IRT', 5_000_000n);
    const before = {
      exIrt: await balance(accounts.exchange('IRT')),
      exTon: await balance(accounts.exchange('TON')),
      feeTon: await balance(accounts.fees('TON')),
    };
    // 1 Toman = 10^9 / 250,000 = 4,000 nanoTON; less 50 bps: 3,980; × 1,000,000 = 3.98 TON gross;
    // fee ceil(3.98 TON × 20 bps) = 0.00796 TON; receive 3.97204 TON
    const q = await quote(alice, 'IRT', 'TON', '1000000');
    expect(q.body.data!.quote).toMatchObject({
      side: 'SPEND',
      pay: '1000000',
      receive: '3.97204',
      fee: '0.00796',
      rate: '0.00000398',
      spreadBps: 50,
      feeBps: 20,
      from: { symbol: 'IRT' },
      to: { symbol: 'TON' },
    });
    const expiresIn = new Date(q.body.data!.quote.expiresAt as string).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(60_000);
    expect(expiresIn).toBeLessThanOrEqual(121_000);
    const res = await place(alice, q.body.data!.quote.id as string);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.placeOrder).toMatchObject({
      type: 'MARKET',
      kind: 'BUY',
      status: 'FILLED',
      pay: '1000000',
      receive: '3.97204',
      fee: '0.00796',
      rejectionCode: null,
      transaction: { kind: 'BUY', amount: '3.97204', fee: '0.00796' },
    });
    expect(await balance(accounts.available(alice.userId, 'IRT'))).toBe(4_000_000n);
    expect(await balance(accounts.available(alice.userId, 'TON'))).toBe(3_972_040_000n);
    expect(await balance(accounts.exchange('IRT'))).toBe(before.exIrt + 1_000_000n);
    expect(await balance(accounts.exchange('TON'))).toBe(before.exTon - 3_980_000_000n);
    expect(await balance(accounts.fees('TON'))).toBe(before.feeTon + 7_960_000n);

    const history = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { user(id: $id) { orders(first: 5) { edges { node { id status kind } } } } }`,
      { id: alice.userId },
      alice.token,
    );
    expect(history.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN'); // user(id) is staff-only at the gateway
    const mine = await gql(
      stack.graphqlUrl,
      `{ me { orders(first: 5) { edges { node { id status kind } } pageInfo { hasNextPage } } } }`,
      {},
      alice.token,
    );
    expect(mine.body.data!.me.orders.edges).toEqual([
      { node: { id: res.body.data!.placeOrder.id, status: 'FILLED', kind: 'BUY' } },
    ]);
  });

  it('sells USDT_TRON for an exact Toman amount (RECEIVE): pays the smallest amount that buys it', async () => {
    const bob = await signIn();
    await fund(bob, 'USDT_TRON', 50_000_000n);
    const before = {
      exUsdt: await balance(accounts.exchange('USDT_TRON')),
      exIrt: await balance(accounts.exchange('IRT')),
      feeIrt: await balance(accounts.fees('IRT')),
    };
    // gross G = ceil(1,000,000 × 10⁴ / 9,980) = 1,002,005 Toman (fee 2,005); one micro-USDT buys
    // 0.0812345 × 0.995 Toman, so pay = ceil(1,002,005 / 0.08082832750) = 12,396,706 micro-USDT
    const q = await quote(bob, 'USDT_TRON', 'IRT', '1000000', 'RECEIVE');
    expect(q.body.data!.quote).toMatchObject({ pay: '12.396706', receive: '1000000', fee: '2005' });
    const res = await place(bob, q.body.data!.quote.id as string);
    expect(res.body.data!.placeOrder).toMatchObject({ kind: 'SELL', status: 'FILLED', pay: '12.396706' });
    expect(await balance(accounts.available(bob.userId, 'USDT_TRON'))).toBe(50_000_000n - 12_396_706n);
    expect(await balance(accounts.available(bob.userId, 'IRT'))).toBe(1_000_000n);
    expect(await balance(accounts.exchange('USDT_TRON'))).toBe(before.exUsdt + 12_396_706n);
    expect(await balance(accounts.exchange('IRT'))).toBe(before.exIrt - 1_002_005n);
    expect(await balance(accounts.fees('IRT'))).toBe(before.feeIrt + 2_005n);
  });

  it('swaps ETH for USDT_ETH through USD prices, 18 decimals to 6', async () => {
    const carol = await signIn();
    await fund(carol, 'ETH', 2n * 10n ** 18n);
    // 0.5 ETH × 3456.78 / 1.0002 × 0.995 = 1,719.404169… USDT → gross 1,719,404,169 micro (floor);
    // fee ceil(× 20 bps) = 3,438,809; receive 1,715,965,360
    const q = await quote(carol, 'ETH', 'USDT_ETH', '0.5');
    expect(q.body.data!.quote).toMatchObject({ pay: '0.5', receive: '1715.96536', fee: '3.438809' });
    const res = await place(carol, q.body.data!.quote.id as string);
    expect(res.body.data!.placeOrder).toMatchObject({ kind: 'SWAP', status: 'FILLED' });
    expect(await balance(accounts.available(carol.userId, 'ETH'))).toBe(15n * 10n ** 17n);
    expect(await balance(accounts.available(carol.userId, 'USDT_ETH'))).toBe(1_715_965_360n);
  });

  it('refuses an expired quote, an altered or foreign quote id, and a quote placed twice fills once', async () => {
    const dan = await signIn();
    const eve = await signIn();
    await fund(dan, 'IRT', 3_000_000n);
    const expired = await quoteId(dan, 'IRT', 'TON', '100000');
    await ledgerSql(`update ledger.order_quote set expires_at = now() - interval '1 second' where id = ?`, [expired]);
    const late = await place(dan, expired);
    expect(errorCode(late)).toBe('QUOTE_EXPIRED');

    const id = await quoteId(dan, 'IRT', 'TON', '100000');
    expect(errorCode(await place(dan, id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A')))).toBe('NOT_FOUND');
    expect(errorCode(await place(eve, id))).toBe('NOT_FOUND'); // someone else's quote is not yours to place

    const first = await place(dan, id, 'dan-1');
    const replay = await place(dan, id, 'dan-1');
    const again = await place(dan, id, 'dan-2');
    expect(first.body.data!.placeOrder.status).toBe('FILLED');
    expect(replay.body.data!.placeOrder).toEqual(first.body.data!.placeOrder);
    expect(errorCode(again)).toBe('CONFLICT');
    const other = await quoteId(dan, 'IRT', 'TON', '100000');
    expect(errorCode(await place(dan, other, 'dan-1'))).toBe('CONFLICT'); // the key belongs to the first quote
    const fills = await ledgerSql(`select id from ledger.transaction where user_id = ? and kind = 'BUY'`, [dan.userId]);
    expect(fills).toHaveLength(1);
    expect(await balance(accounts.available(dan.userId, 'IRT'))).toBe(2_900_000n);

    // quotes expired over an hour ago are forgotten; the order (and its key's answer) stays
    await ledgerSql(`update ledger.order_quote set expires_at = now() - interval '2 hours' where id = ?`, [id]);
    expect(await ledger().orders.pruneQuotes(ledgerEm())).toBeGreaterThanOrEqual(1);
    expect(await ledgerSql(`select 1 from ledger.order_quote where id = ?`, [id])).toHaveLength(0);
    expect((await place(dan, id, 'dan-1')).body.data!.placeOrder).toEqual(first.body.data!.placeOrder);
  });

  it('100 concurrent orders on one balance: exactly the ones that fit fill, the rest are REJECTED', async () => {
    const frank = await signIn();
    await fund(frank, 'IRT', 1_000_000n);
    const ids = await Promise.all(Array.from({ length: 100 }, () => quoteId(frank, 'IRT', 'TON', '30000')));
    const results = await Promise.all(ids.map((id, i) => place(frank, id, `frank-${i}`)));
    const statuses = results.map((r) => r.body.data!.placeOrder.status as string);
    expect(statuses.filter((s) => s === 'FILLED')).toHaveLength(33);
    expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(67);
    expect(
      results.filter((r) => r.body.data!.placeOrder.rejectionCode === 'INSUFFICIENT_FUNDS').map(() => 1),
    ).toHaveLength(67);
    expect(await balance(accounts.available(frank.userId, 'IRT'))).toBe(10_000n);
  });

  it('the level limits apply to orders in the same transaction: above the per-transaction cap is REJECTED', async () => {
    const leo = await signIn();
    await fund(leo, 'IRT', 300_000_000n);
    // 200,000,000 Toman ÷ 81,234.5 × 1.0002 ≈ 2,462.5 USD > 2,000 USD per transaction at level 1
    const res = await place(leo, await quoteId(leo, 'IRT', 'TON', '200000000'));
    expect(res.body.data!.placeOrder).toMatchObject({ status: 'REJECTED', rejectionCode: 'LIMIT_EXCEEDED' });
    expect(res.body.data!.placeOrder.rejectionMessage).toMatch(/2000 USD/);
    expect(await balance(accounts.available(leo.userId, 'IRT'))).toBe(300_000_000n);
    expect((await place(leo, await quoteId(leo, 'IRT', 'TON', '100000000'))).body.data!.placeOrder.status).toBe(
      'FILLED',
    );
  });

  it('price source down: a pair never priced is PRICE_UNAVAILABLE, an old price PRICE_STALE; nothing is quoted', async () => {
    const gina = await signIn();
    expect(errorCode(await quote(gina, 'BNB', 'IRT', '1'))).toBe('PRICE_UNAVAILABLE');
    await publishMarketPrice(stack, 'TRX', 'IRT', '20000', new Date(Date.now() - 20 * 60_000));
    const stale = await quote(gina, 'TRX', 'IRT', '10');
    expect(errorCode(stale)).toBe('PRICE_STALE');
    expect(stale.body.errors![0]!.extensions).toMatchObject({ pair: 'TRX/IRT', retryable: true });
    const rows = await ledgerSql(`select 1 from ledger.order_quote where user_id = ?`, [gina.userId]);
    expect(rows).toHaveLength(0);
  });

  it('staff switch a pair off (quotes and live quotes refused), cap its exposure, and read the positions', async () => {
    const finance = await signInStaff(stack, ['FINANCE']);
    const support = await signInStaff(stack, ['SUPPORT']);
    const hank = await signIn();
    await fund(hank, 'IRT', 10_000_000n);
    const live = await quoteId(hank, 'IRT', 'TON', '100000');
    const SET = `mutation($input: SetTradingPairInput!) { setTradingPair(input: $input) { pair enabled spreadBps exposureCapUsd } }`;
    expect(
      errorCode(await gql(stack.graphqlUrl, SET, { input: { pair: 'TON/IRT', enabled: false } }, support.token)),
    ).toBe('FORBIDDEN');
    expect(
      errorCode(await gql(stack.graphqlUrl, SET, { input: { pair: 'IRT/TON', enabled: false } }, finance.token)),
    ).toBe('BAD_USER_INPUT');
    const off = await gql(stack.graphqlUrl, SET, { input: { pair: 'TON/IRT', enabled: false } }, finance.token);
    expect(off.body.data!.setTradingPair).toEqual({
      pair: 'TON/IRT',
      enabled: false,
      spreadBps: 50,
      exposureCapUsd: null,
    });
    expect(errorCode(await place(hank, live))).toBe('TRADING_DISABLED');
    await new Promise((r) => setTimeout(r, 1_100)); // quotes read the settings through a copy at most 1 s old
    expect(errorCode(await quote(hank, 'TON', 'IRT', '1'))).toBe('TRADING_DISABLED');

    // the exchange is already short TON from the buys above; a cap of 1 USD refuses any further TON payout
    await gql(stack.graphqlUrl, SET, { input: { pair: 'TON/IRT', enabled: true, exposureCapUsd: '1' } }, finance.token);
    await new Promise((r) => setTimeout(r, 1_100));
    const capped = await place(hank, await quoteId(hank, 'IRT', 'TON', '100000'));
    expect(capped.body.data!.placeOrder).toMatchObject({
      status: 'REJECTED',
      rejectionCode: 'EXPOSURE_LIMIT_EXCEEDED',
    });
    await gql(stack.graphqlUrl, SET, { input: { pair: 'TON/IRT', exposureCapUsd: '-' } }, finance.token);
    expect((await place(hank, await quoteId(hank, 'IRT', 'TON', '100000'))).body.data!.placeOrder.status).toBe(
      'FILLED',
    );

    const exposure = await gql(
      stack.graphqlUrl,
      `{ exchangeExposure { asset { symbol } position usdValue fees } }`,
      {},
      support.token,
    );
    const ton = (
      exposure.body.data!.exchangeExposure as {
        asset: { symbol: string };
        position: string;
        usdValue: string;
        fees: string;
      }[]
    ).find((p) => p.asset.symbol === 'TON')!;
    const position = await balance(accounts.exchange('TON'));
    expect(position).toBeLessThan(0n);
    expect(ton.position).toBe(`-${Number(-position) / 1e9}`);
    expect(Number(ton.usdValue)).toBeCloseTo((Number(position) / 1e9) * 3.2, 1);
    expect(errorCode(await gql(stack.graphqlUrl, `{ exchangeExposure { position } }`, {}, hank.token))).toBe(
      'FORBIDDEN',
    );

    // a level's fee: 1 USD fixed (in TON at 3.2 USD: 0.3125 TON) + 30 bps, on the next quotes
    const FEE = `mutation { setTradingFee(level: 1, fixedUsd: "1", bps: 30) { level fixedUsd bps } }`;
    expect(errorCode(await gql(stack.graphqlUrl, FEE, {}, support.token))).toBe('FORBIDDEN');
    expect((await gql(stack.graphqlUrl, FEE, {}, finance.token)).body.data!.setTradingFee).toEqual({
      level: 1,
      fixedUsd: '1',
      bps: 30,
    });
    await new Promise((r) => setTimeout(r, 1_100));
    // 1,000,000 Toman → 3.98 TON gross; fee 0.3125 + ceil(3.98 × 30 bps) = 0.3125 + 0.01194 TON
    expect((await quote(hank, 'IRT', 'TON', '1000000')).body.data!.quote).toMatchObject({
      feeBps: 30,
      fee: '0.32444',
      receive: '3.65556',
    });
    const fees = await gql(
      stack.graphqlUrl,
      `{ tradingFees { level fixedUsd bps } tradingPairs { pair enabled } }`,
      {},
      support.token,
    );
    expect(fees.body.data!.tradingFees).toEqual([
      { level: 1, fixedUsd: '1', bps: 30 },
      { level: 2, fixedUsd: '0', bps: 10 },
    ]);
    expect(fees.body.data!.tradingPairs).toEqual([{ pair: 'TON/IRT', enabled: true }]);
    await gql(
      stack.graphqlUrl,
      `mutation { setTradingFee(level: 1, fixedUsd: "0", bps: 20) { level } }`,
      {},
      finance.token,
    );
  });

  it('an asset staff disabled in the market takes no trades (ASSET_DISABLED) until it is enabled again', async () => {
    const admin = await signInStaff(stack, ['ADMIN']);
    const mia = await signIn();
    const UPDATE = `mutation($s: String!, $e: Boolean!) { updateAsset(input: { symbol: $s, enabled: $e }) { enabled } }`;
    expect(errorCode(await quote(mia, 'BNB', 'IRT', '1'))).toBe('PRICE_UNAVAILABLE');
    await gql(stack.graphqlUrl, UPDATE, { s: 'BNB', e: false }, admin.token);
    await until(
      'the ledger to hear of the switch',
      async () => errorCode(await quote(mia, 'BNB', 'IRT', '1')),
      (c) => c === 'ASSET_DISABLED',
    );
    await gql(stack.graphqlUrl, UPDATE, { s: 'BNB', e: true }, admin.token);
    await until(
      'the switch back',
      async () => errorCode(await quote(mia, 'BNB', 'IRT', '1')),
      (c) => c === 'PRICE_UNAVAILABLE',
    );
  });

  it('filled orders count toward the level: identity raises the user to level 2 at 2,000,000 Toman', async () => {
    const ivy = await signIn();
    await fund(ivy, 'IRT', 3_000_000n);
    const level = async () =>
      (await gql(stack.graphqlUrl, `{ me { level } }`, {}, ivy.token)).body.data!.me.level as number;
    expect((await place(ivy, await quoteId(ivy, 'IRT', 'TON', '1500000'))).body.data!.placeOrder.status).toBe('FILLED');
    await new Promise((r) => setTimeout(r, 500));
    expect(await level()).toBe(1);
    expect((await place(ivy, await quoteId(ivy, 'IRT', 'TON', '500000'))).body.data!.placeOrder.status).toBe('FILLED');
    await until('identity to raise the level', level, (l) => l === 2);
    // the ledger hears back (identity.user.level-changed) and quotes the level-2 fee
    await until(
      'the ledger to see level 2',
      async () =>
        (
          await ledgerSql<{ level: number }>(`select level from ledger.user_directory where user_id = ?`, [ivy.userId])
        )[0]!.level,
      (l) => l === 2,
    );
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await quote(ivy, 'IRT', 'TON', '100000')).body.data!.quote.feeBps).toBe(10);
  });

  it('orderUpdated pushes the viewer their own order, nobody else', async () => {
    const jane = await signIn();
    const kim = await signIn();
    await fund(jane, 'IRT', 1_000_000n);
    const subscribe = (p: Person) => {
      const got: { orderUpdated: { id: string; status: string } }[] = [];
      const client = createClient({
        url: stack.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${p.token}` },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
      });
      clients.push(client);
      client.subscribe<{ orderUpdated: { id: string; status: string } }>(
        { query: `subscription { orderUpdated { id status kind } }` },
        { next: (v) => got.push(v.data!), error: () => undefined, complete: () => undefined },
      );
      return got;
    };
    const janeGot = subscribe(jane);
    const kimGot = subscribe(kim);
    await new Promise((r) => setTimeout(r, 500)); // graphql-ws has no "subscribed" ack
    const order = (await place(jane, await quoteId(jane, 'IRT', 'TON', '100000'))).body.data!.placeOrder;
    await until(
      'the push',
      async () => janeGot.length,
      (n) => n > 0,
    );
    expect(janeGot[0]).toEqual({ orderUpdated: { id: order.id, status: 'FILLED', kind: 'BUY' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(kimGot).toEqual([]);
  });

  it('leaves the ledger consistent', async () => {
    const report = await verifyLedger(ledgerEm());
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
