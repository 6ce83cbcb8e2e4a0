import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { publishMarketPrice } from '../../../testing/market-prices.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { callSubgraphAs, signInStaff } from '../../../testing/viewers.js';
import type { IdentityServices } from '../../identity/context.js';
import type { LedgerServices } from '../context.js';
import { verifyLedger } from '../core/verifier.js';
import { until } from '../../../testing/until.js';

/**
 * Level limits end to end: identity's level reaches the ledger as an event, the market's prices over core
 * NATS (published by the market's own connection, as the price feed does), transfers and User.limits through
 * the gateway. Level 1: 100 USD per transaction, 150 a day, 300 a month; level 2: 1,000 per transaction,
 * 5,000 a day; level 3 (set in the ledger's directory directly): monthly 200 below its daily 500, so the
 * month's sum is what refuses.
 */

let stack: TestStack;
const LIMITS = '1:USD:100:150:300,2:USD:1000:5000:-,3:USD:-:500:200';

beforeAll(async () => {
  // Several posting lanes: one sender's TON and USDT_ETH transfers commit in concurrent batches, as from two processes.
  stack = await startStack({
    LEDGER_LEVEL_LIMITS: LIMITS,
    LEDGER_FEES: '*:0:0',
    LEDGER_PRICE_MAX_AGE_SECONDS: '60',
    LEDGER_POSTING_LANES: '4',
  });
});

afterAll(async () => {
  await stack?.close();
});

const ledger = () => (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;
const identity = () => (stack.subgraphs.get('identity')!.app.context!() as { identity: IdentityServices }).identity;
const ledgerEm = () => stack.subgraphs.get('ledger')!.deps.orm.em.fork();
const ledgerSql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  ledgerEm().getConnection().execute<T[]>(text, params);

const publishPrice = (coin: string, quote: string, value: string, observedAt?: Date) =>
  publishMarketPrice(stack, coin, quote, value, observedAt);

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

let deposits = 0;
/** Credits through the deposit path (custody → available), as the wallet's confirmed deposit does. */
async function fund(p: Person, asset: 'USDT_ETH' | 'TON', amount: bigint): Promise<void> {
  const n = ++deposits;
  const result = await ledgerEm().transactional((tx) =>
    ledger().postings.creditDeposit(
      tx,
      {
        depositId: `dep_limits_${n}`,
        userId: p.userId,
        network: asset === 'TON' ? 'TON' : 'ETH',
        asset,
        amount,
        txHash: `0xlimits${n}`,
        outputIndex: 0,
      },
      'system:test',
    ),
  );
  expect(result.type).toBe('Transaction');
}

const TRANSFER = `mutation($input: TransferInput!) { transfer(input: $input) {
  __typename
  ... on Transaction { id amount }
  ... on LimitExceeded { code period limit used remaining currency level asset { symbol } }
} }`;

async function transfer(from: Person, to: Person, amount: string, opts: { asset?: string; key?: string } = {}) {
  const res = await gql(
    stack.graphqlUrl,
    TRANSFER,
    {
      input: {
        toUserId: to.userId,
        asset: opts.asset ?? 'USDT_ETH',
        amount,
        idempotencyKey: opts.key ?? `k-${Math.random()}`,
      },
    },
    from.token,
  );
  return res;
}

const LIMITS_QUERY = `query($id: ID!) { user(id: $id) { limits {
  level currency
  transaction { period limit used remaining }
  daily { period limit used remaining }
  monthly { period limit used remaining }
} } }`;
const ME_LIMITS = `{ me { limits { level currency transaction { limit remaining } daily { limit used remaining } monthly { limit used remaining } } } }`;

async function limitsOf(p: Person) {
  const res = await gql(stack.graphqlUrl, ME_LIMITS, {}, p.token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.me.limits;
}

describe('level limits on transfers', () => {
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([signIn(), signIn()]);
    await fund(alice, 'USDT_ETH', 2_000_000_000n);
  });

  it('refuses with the retryable PRICE_UNAVAILABLE while no fresh price exists, and moves nothing', async () => {
    const before = await ledgerSql('select count(*)::int as n from ledger.transaction');
    const none = await transfer(alice, bob, '1', { key: 'no-price' });
    expect(errorCode(none)).toBe('PRICE_UNAVAILABLE');
    expect(none.body.errors![0]!.extensions).toMatchObject({ pair: 'USDT/USD', asset: 'USDT_ETH', retryable: true });

    await publishPrice('USDT', 'USD', '1.0000', new Date(Date.now() - 120_000)); // older than the 60 s allowed
    expect(errorCode(await transfer(alice, bob, '1', { key: 'stale-price' }))).toBe('PRICE_UNAVAILABLE');
    expect(await ledgerSql('select count(*)::int as n from ledger.transaction')).toEqual(before);

    await publishPrice('USDT', 'USD', '1.0000');
    // Not recorded as the key's answer: the same key succeeds once a price is there.
    expect((await transfer(alice, bob, '1', { key: 'no-price' })).body.data!.transfer.__typename).toBe('Transaction');
  });

  it('refuses a transfer above the per-transaction cap with the limit, period and what is left; a retry gets the same answer', async () => {
    const over = await transfer(alice, bob, '100.01', { key: 'over-cap' });
    expect(over.body.data!.transfer).toEqual({
      __typename: 'LimitExceeded',
      code: 'LIMIT_EXCEEDED',
      period: 'TRANSACTION',
      limit: '100',
      used: '0',
      remaining: '100',
      currency: 'USD',
      level: 1,
      asset: { symbol: 'USDT_ETH' },
    });
    expect((await transfer(alice, bob, '100.01', { key: 'over-cap' })).body.data!.transfer).toEqual(
      over.body.data!.transfer,
    );
    expect(errorCode(await transfer(alice, bob, '5', { key: 'over-cap' }))).toBe('CONFLICT');
  });

  it('counts the day: 1 + 100 + 40 sent, 20 more is refused (DAILY, 9 left); User.limits shows the same', async () => {
    const hundred = (await transfer(alice, bob, '100', { key: 'hundred' })).body.data!.transfer;
    expect(hundred.__typename).toBe('Transaction');
    expect((await transfer(alice, bob, '40')).body.data!.transfer.__typename).toBe('Transaction');
    const daily = await transfer(alice, bob, '20');
    expect(daily.body.data!.transfer).toMatchObject({
      __typename: 'LimitExceeded',
      period: 'DAILY',
      limit: '150',
      used: '141',
      remaining: '9',
      currency: 'USD',
    });
    // A retry of a transfer that went keeps its answer, though the day is now (almost) full.
    expect((await transfer(alice, bob, '100', { key: 'hundred' })).body.data!.transfer).toEqual(hundred);
    expect(await limitsOf(alice)).toEqual({
      level: 1,
      currency: 'USD',
      transaction: { limit: '100', remaining: '9' },
      daily: { limit: '150', used: '141', remaining: '9' },
      monthly: { limit: '300', used: '141', remaining: '159' },
    });
    // The value stored with each transfer is what the sums read: exact, in cents.
    const stored = await ledgerSql<{ value: string }>(
      'select value::text as value from ledger.limit_usage where user_id = ? order by created_at',
      [alice.userId],
    );
    expect(stored.map((r) => r.value)).toEqual(['100', '10000', '4000']);
  });

  it('a level raise (identity event) lifts the cap: the refused transfer now goes', async () => {
    expect((await transfer(alice, bob, '500')).body.data!.transfer).toMatchObject({ period: 'TRANSACTION', level: 1 });
    await identity().users.applyLevelFacts(stack.subgraphs.get('identity')!.deps.orm.em.fork(), alice.userId, {
      kycTier: 'BASIC',
    });
    await until(
      'the ledger to see level 2',
      async () => (await limitsOf(alice)).level,
      (l) => l === 2,
    );
    expect((await transfer(alice, bob, '500')).body.data!.transfer).toMatchObject({
      __typename: 'Transaction',
      amount: '500',
    });
    expect(await limitsOf(alice)).toMatchObject({
      level: 2,
      daily: { limit: '5000', used: '641', remaining: '4359' },
      monthly: { limit: null, used: '641', remaining: null },
    });
  });

  it('counts the month separately from the day, and nothing from last month', async () => {
    const carol = await signIn();
    await fund(carol, 'USDT_ETH', 1_000_000_000n);
    await ledgerEm().transactional((tx) =>
      ledger().directory.rememberLevel(tx, { userId: carol.userId, level: 3, seenAt: new Date() }),
    );
    // A transfer of last month (its usage row) does not count this month.
    await ledgerSql(
      `insert into ledger.limit_usage (transaction_id, user_id, currency, value, created_at)
       values ('txn_last_month', ?, 'USD', 100000, date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' - interval '1 second')`,
      [carol.userId],
    );
    expect((await transfer(carol, bob, '150')).body.data!.transfer.__typename).toBe('Transaction');
    expect((await transfer(carol, bob, '60')).body.data!.transfer).toMatchObject({
      period: 'MONTHLY',
      limit: '200',
      used: '150',
      remaining: '50',
      level: 3,
    });
    expect((await transfer(carol, bob, '50')).body.data!.transfer.__typename).toBe('Transaction');
  });

  it('parallel transfers at the edge, in two assets: exactly the ones that fit go', async () => {
    const dave = await signIn();
    await fund(dave, 'USDT_ETH', 1_000_000_000n);
    await fund(dave, 'TON', 100_000_000_000n);
    await publishPrice('USDT', 'USD', '1');
    await publishPrice('TON', 'USD', '2.5');
    // 12 transfers worth 20 USD each (8 USDT_ETH, 4 × 8 TON): 150 a day fits 7 of them.
    const sends = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0 ? transfer(dave, bob, '8', { asset: 'TON' }) : transfer(dave, bob, '20'),
      ),
    );
    const kinds = sends.map((s) => s.body.data?.transfer?.__typename ?? errorCode(s));
    expect(kinds.filter((k) => k === 'Transaction')).toHaveLength(7);
    expect(kinds.filter((k) => k === 'LimitExceeded')).toHaveLength(5);
    const [sum] = await ledgerSql<{ total: string; n: number }>(
      'select sum(value)::text as total, count(*)::int as n from ledger.limit_usage where user_id = ?',
      [dave.userId],
    );
    expect(sum).toEqual({ total: '14000', n: 7 });
    expect((await limitsOf(dave)).daily).toEqual({ limit: '150', used: '140', remaining: '10' });
  });

  it('shows limits to the user and staff only; ledger invariants hold', async () => {
    const support = await signInStaff(stack, ['SUPPORT']);
    const staffView = await gql(stack.graphqlUrl, LIMITS_QUERY, { id: bob.userId }, support.token);
    expect(staffView.body.errors).toBeUndefined();
    expect(staffView.body.data!.user.limits).toMatchObject({
      level: 1,
      currency: 'USD',
      daily: { period: 'DAILY', used: '0', remaining: '150' },
    });
    // The gateway lets only staff ask for `user(id)`; the ledger checks again for whoever reaches a User.
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { limits { level } } } }`;
    const asBob = { userId: bob.userId, roles: ['USER' as const], claims: [], sessionId: null };
    const peek = await callSubgraphAs(stack, 'ledger', asBob, entities, {
      r: [{ __typename: 'User', id: alice.userId }],
    });
    expect(errorCode(peek)).toBe('FORBIDDEN');
    const own = await callSubgraphAs(stack, 'ledger', asBob, entities, { r: [{ __typename: 'User', id: bob.userId }] });
    expect(own.body.data!._entities).toEqual([{ limits: { level: 1 } }]);
    const report = await verifyLedger(ledgerEm());
    expect(report.ok).toBe(true);
  });
});
