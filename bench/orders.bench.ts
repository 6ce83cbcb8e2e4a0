import 'reflect-metadata';
import type { LedgerServices } from '../subgraphs/ledger/context.js';
import { accounts } from '../subgraphs/ledger/core/accounts.js';
import { draft } from '../subgraphs/ledger/core/ledger.types.js';
import { gql } from '../testing/graphql-client.js';
import { publishMarketPrice } from '../testing/market-prices.js';
import { startStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { arg, machine, median, percentile } from './harness.js';

/**
 * npm run bench:orders [-- --users 20 --rounds 3 --ops 300 --resting 10000]
 * In one run, through the gateway of an in-process stack (every subgraph, the relay, the gateway; real Postgres,
 * Redis, NATS): instant-order round trips (`quote` then `placeOrder`, IRT → TON) per second and their p50/p99,
 * against `transfer` (IRT between users) measured in alternating rounds so background load hits both alike; then
 * `resting` limit orders (BUY TON/IRT, spread over the users) crossed by one market tick over core NATS: the time
 * from the tick's publication until every one is FILLED, as fills per second. Level limits and fees on transfers
 * are off (the comparison is the order path against the plain posting path); the trading fee is on.
 */
const users = arg('users', 20);
const rounds = arg('rounds', 3);
const ops = arg('ops', 300);
const resting = arg('resting', 10_000);

const stack = await startStack({
  LEDGER_LEVEL_LIMITS: '1:USD:-:-:-',
  LEDGER_FEES: '*:0:0',
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
  LOG_LEVEL: 'warn',
});
const ledger = () => (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;
const ledgerEm = () => stack.subgraphs.get('ledger')!.deps.orm.em.fork();
const ledgerSql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  ledgerEm().getConnection().execute<T[]>(text, params);

async function signIn(): Promise<{ token: string; userId: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const p = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  for (;;) {
    const known = await ledgerSql(`select 1 from ledger.user_directory where user_id = ?`, [p.user.id]);
    if (known.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { token: p.accessToken, userId: p.user.id };
}

function must(res: Awaited<ReturnType<typeof gql>>, what: string): Record<string, unknown> {
  if (res.body.errors) throw new Error(`${what}: ${JSON.stringify(res.body.errors)}`);
  return res.body.data as Record<string, unknown>;
}

/** `n` calls of `one`, `parallel` at a time (worker = its own user): calls per second, p50, p99 in ms. */
async function measure(n: number, parallel: number, one: (worker: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async (_, worker) => {
      while (next++ < n) {
        const t = performance.now();
        await one(worker);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: n / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

let keys = 0;
const PRICES = [
  ['TON', 'IRT', '250000'],
  ['TON', 'USD', '3.2'],
  ['USDT', 'IRT', '81000'],
  ['USDT', 'USD', '1'],
] as const;
const publishPrices = async () => {
  for (const [coin, quote, value] of PRICES) await publishMarketPrice(stack, coin, quote, value);
};
// the price feed republishes every few seconds; a long run must not quote on stale prices
const refresher = setInterval(() => void publishPrices().catch(() => undefined), 15_000);
try {
  await publishPrices();
  const people = await Promise.all(Array.from({ length: users }, () => signIn()));
  for (const p of people) {
    const amount = 10n ** 15n;
    const r = await ledger().ledger.commit(
      ledgerEm(),
      draft({
        kind: 'ADJUSTMENT',
        asset: 'IRT',
        amount,
        userId: p.userId,
        actor: 'system:bench',
        reason: 'bench funding',
        postings: [
          { source: accounts.world('IRT'), destination: accounts.available(p.userId, 'IRT'), asset: 'IRT', amount },
        ],
      }),
    );
    if (r.type !== 'Transaction') throw new Error(`funding refused: ${r.type}`);
  }

  const transfer = async (worker: number) => {
    const p = people[worker]!;
    must(
      await gql(
        stack.graphqlUrl,
        `mutation($i: TransferInput!) { transfer(input: $i) { __typename ... on Transaction { id } } }`,
        {
          i: {
            toUserId: people[(worker + 1) % users]!.userId,
            asset: 'IRT',
            amount: '1',
            idempotencyKey: `t${++keys}`,
          },
        },
        p.token,
      ),
      'transfer',
    );
  };
  const order = async (worker: number) => {
    const p = people[worker]!;
    const q = must(
      await gql(
        stack.graphqlUrl,
        `mutation($i: TradeQuoteInput!) { quote(input: $i) { id } }`,
        { i: { from: 'IRT', to: 'TON', amount: '10000', side: 'SPEND' } },
        p.token,
      ),
      'quote',
    );
    const placed = must(
      await gql(
        stack.graphqlUrl,
        `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id status } }`,
        { i: { quoteId: (q.quote as { id: string }).id, idempotencyKey: `o${++keys}` } },
        p.token,
      ),
      'placeOrder',
    );
    if ((placed.placeOrder as { status: string }).status !== 'FILLED') throw new Error('order not filled');
  };

  // warm-up, then ANALYZE (fresh tables otherwise keep sequential-scan plans, BENCHMARKS.md § Ledger)
  await measure(100, users, transfer);
  await measure(100, users, order);
  await ledgerSql('analyze');
  const t: Awaited<ReturnType<typeof measure>>[] = [];
  const o: Awaited<ReturnType<typeof measure>>[] = [];
  for (let r = 0; r < rounds; r++) {
    t.push(await measure(ops, users, transfer));
    o.push(await measure(ops, users, order));
  }
  const med = (xs: Awaited<ReturnType<typeof measure>>[], k: 'perSecond' | 'p50' | 'p99') =>
    median(xs.map((x) => x[k]));

  clearInterval(refresher);
  // resting limit orders, placed in-process (the gateway path is the one measured above)
  const lim = ledger().limitOrders;
  let placed = 0;
  const placeStarted = performance.now();
  await Promise.all(
    Array.from({ length: users }, async (_, worker) => {
      const p = people[worker]!;
      const viewer = { userId: p.userId, roles: ['USER' as const], claims: [], sessionId: null };
      while (placed++ < resting) {
        const limitPrice = String(240_000 + (placed % 1_000)); // every one at or above the tick below
        const ord = await lim.place(ledgerEm(), viewer, {
          pair: 'TON/IRT',
          side: 'BUY',
          amount: '0.01',
          limitPrice,
          idempotencyKey: `l${++keys}`,
        });
        if (ord.status !== 'PLACED') throw new Error(`limit order ${ord.status}`);
      }
    }),
  );
  const placeSeconds = (performance.now() - placeStarted) / 1000;
  await ledgerSql('analyze ledger.trade_order');
  const count = async () =>
    Number(
      (
        await ledgerSql<{ n: string }>(
          `select count(*)::text as n from ledger.trade_order where type = 'LIMIT' and status = 'PLACED'`,
        )
      )[0]!.n,
    );
  const before = await count();
  const tickAt = performance.now();
  await publishMarketPrice(stack, 'TON', 'IRT', '239000');
  for (;;) {
    if ((await count()) === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const fillSeconds = (performance.now() - tickAt) / 1000;
  const report = await import('../subgraphs/ledger/core/verifier.js').then((m) => m.verifyLedger(ledgerEm()));

  const f = (x: number, d = 1) => x.toFixed(d);
  console.log(`orders benchmark — ${machine()}`);
  console.log(`${users} users in parallel, ${rounds} alternating rounds of ${ops} operations, medians:`);
  console.log(`| path | ops/s | p50 ms | p99 ms |`);
  console.log(`|---|---:|---:|---:|`);
  console.log(`| transfer | ${f(med(t, 'perSecond'))} | ${f(med(t, 'p50'))} | ${f(med(t, 'p99'))} |`);
  console.log(`| quote + placeOrder | ${f(med(o, 'perSecond'))} | ${f(med(o, 'p50'))} | ${f(med(o, 'p99'))} |`);
  console.log(
    `ratio (orders/transfer): rate ${f(med(o, 'perSecond') / med(t, 'perSecond'), 3)}×, p99 ${f(med(o, 'p99') / med(t, 'p99'), 2)}×`,
  );
  console.log(`limit orders: ${before} resting (placed at ${f(resting / placeSeconds)}/s in-process)`);
  console.log(`one tick crossed all: filled in ${f(fillSeconds, 2)} s = ${f(before / fillSeconds)} fills/s`);
  console.log(`verifyLedger: ${report.ok ? 'clean' : JSON.stringify(report.mismatches.slice(0, 3))}`);
} finally {
  clearInterval(refresher);
  await stack.close();
}
