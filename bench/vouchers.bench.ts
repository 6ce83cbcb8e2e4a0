import 'reflect-metadata';
import { startUtopiaSimulator } from '../devnet/vouchers/utopia.simulator.js';
import { startUwalletSimulator } from '../devnet/vouchers/uwallet.simulator.js';
import { startPerfectMoneySimulator } from '../devnet/vouchers/perfect-money.simulator.js';
import { accounts } from '../subgraphs/ledger/core/accounts.js';
import { draft } from '../subgraphs/ledger/core/ledger.types.js';
import type { LedgerServices } from '../subgraphs/ledger/context.js';
import { gql } from '../testing/graphql-client.js';
import { startStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { signInStaff } from '../testing/viewers.js';
import { arg, machine } from './harness.js';
import { measure, must } from './gateway-load.js';

/**
 * npm run bench:vouchers [-- --users 10 --ops 200]
 * In one run, through the gateway of an in-process stack (real Postgres, Redis, NATS; the uWallet simulator):
 * HOT voucher purchases per second (buyVoucher: hold by event, provider call, capture by event), redemptions per
 * second (redeemVoucher of codes issued at the simulator, credit by event), and `transfer` of IRT between the same
 * users as the yardstick; `users` users in parallel, `ops` operations of each kind. Prints the ratios.
 */
const users = arg('users', 10);
const ops = arg('ops', 200);

const uwallet = await startUwalletSimulator();
const utopia = await startUtopiaSimulator();
const pm = await startPerfectMoneySimulator();
const stack = await startStack({
  UWALLET_BASE_URL: uwallet.url,
  UTOPIA_API_URL: utopia.url,
  PERFECT_MONEY_BASE_URL: pm.url,
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
  LEDGER_LIMITS: '*:-:-',
  LEDGER_LEVEL_LIMITS: '1:USD:-:-:-',
  LEDGER_FEES: '*:0:0',
  VOUCHER_POLL_MS: '200',
});
const ledger = (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;

/** `n` calls of `one`, `parallel` at a time: calls per second and latencies in ms. */

try {
  const staff = (await signInStaff(stack, ['SUPERADMIN'])).token;
  const until = new Date(Date.now() + 3600_000).toISOString();
  for (const side of ['BUY', 'SELL'])
    must(
      await gql(
        stack.graphqlUrl,
        `mutation($i: SetVoucherRateInput!) { setVoucherRate(input: $i) { id } }`,
        { i: { type: 'HOT', side, currency: 'IRT', price: side === 'BUY' ? '1.02' : '0.98', validUntil: until } },
        staff,
      ),
      'setVoucherRate',
    );
  const people: { token: string; id: string }[] = [];
  for (let i = 0; i < users; i++) {
    const res = await gql(
      stack.graphqlUrl,
      `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
      { d: initDataFor(newTelegramUser()) },
    );
    const p = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
    people.push({ token: p.accessToken, id: p.user.id });
  }
  // Fund every user (a test adjustment from world:IRT), once the ledger knows them.
  const em = stack.subgraphs.get('ledger')!.deps.orm.em;
  for (const p of people)
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await em.fork().transactional((tx) =>
          ledger.ledger.commitWithin(
            tx,
            draft({
              kind: 'ADJUSTMENT',
              asset: 'IRT',
              amount: 10_000_000_000n,
              userId: p.id,
              actor: 'system:bench',
              reason: 'bench funds',
              postings: [
                {
                  source: accounts.world('IRT'),
                  destination: accounts.available(p.id, 'IRT'),
                  asset: 'IRT',
                  amount: 10_000_000_000n,
                },
              ],
            }),
          ),
        );
        if (r.type === 'Transaction') break;
      } catch (err) {
        if (attempt > 100) throw err;
      }
      await new Promise((r) => setTimeout(r, 50));
    }

  let keys = 0;
  const transfer = async (_i: number, worker: number) => {
    const from = people[worker]!;
    const to = people[(worker + 1) % people.length]!;
    must(
      await gql(
        stack.graphqlUrl,
        `mutation($input: TransferInput!) { transfer(input: $input) { __typename ... on Transaction { id } } }`,
        { input: { toUserId: to.id, asset: 'IRT', amount: '1', idempotencyKey: `t${++keys}` } },
        from.token,
      ),
      'transfer',
    );
  };
  const buy = async (_i: number, worker: number) => {
    const res = await gql(
      stack.graphqlUrl,
      `mutation($k: String!) { buyVoucher(type: HOT, amount: "10000", payWith: "IRT", idempotencyKey: $k) { status } }`,
      { k: `b${++keys}` },
      people[worker]!.token,
    );
    must(res, 'buyVoucher');
    if (res.body.data!.buyVoucher.status !== 'COMPLETED') throw new Error(`buy ${res.body.data!.buyVoucher.status}`);
  };
  const codes = Array.from({ length: ops + users * 2 }, () => uwallet.issue('HotVoucher', '100000'));
  const redeem = async (i: number, worker: number) => {
    const res = await gql(
      stack.graphqlUrl,
      `mutation($c: String!, $k: String!) { redeemVoucher(type: HOT, code: $c, idempotencyKey: $k) { status } }`,
      { c: codes[i]!, k: `r${++keys}` },
      people[worker]!.token,
    );
    must(res, 'redeemVoucher');
    if (res.body.data!.redeemVoucher.status !== 'COMPLETED')
      throw new Error(`redeem ${res.body.data!.redeemVoucher.status}`);
  };

  await measure(users * 2, users, transfer); // warm-up
  await measure(users, users, buy);
  const rounds: { t: number; b: number; r: number }[] = [];
  type Measured = Awaited<ReturnType<typeof measure>>;
  const results: Record<'transfer' | 'buy' | 'redeem', Measured[]> = { transfer: [], buy: [], redeem: [] };
  let redeemed = 0;
  // Alternate the three in two rounds so background load hits all alike.
  for (let round = 0; round < 2; round++) {
    const n = Math.floor(ops / 2);
    const t = await measure(n, users, transfer);
    const b = await measure(n, users, buy);
    const offset = redeemed;
    const r = await measure(n, users, (i, w) => redeem(offset + i, w));
    redeemed += n;
    results.transfer.push(t);
    results.buy.push(b);
    results.redeem.push(r);
    rounds.push({ t: t.perSecond, b: b.perSecond, r: r.perSecond });
  }
  const avg = (xs: Awaited<ReturnType<typeof measure>>[], k: 'perSecond' | 'p50' | 'p99') =>
    xs.reduce((s, x) => s + x[k], 0) / xs.length;
  const f = (n: number) => n.toFixed(1);
  console.log(`bench:vouchers — ${machine()}; ${users} users in parallel, ${ops} operations of each kind`);
  for (const [name, xs] of Object.entries(results))
    console.log(
      `${name.padEnd(8)} ${f(avg(xs, 'perSecond'))}/s  p50 ${f(avg(xs, 'p50'))} ms  p99 ${f(avg(xs, 'p99'))} ms  ` +
        `${(avg(xs, 'perSecond') / avg(results.transfer, 'perSecond')).toFixed(2)}× transfer`,
    );
  console.log(
    'rounds (transfer/buy/redeem per second):',
    rounds.map((x) => `${f(x.t)}/${f(x.b)}/${f(x.r)}`).join('  '),
  );
} finally {
  await stack.close();
  await Promise.all([uwallet.close(), utopia.close(), pm.close()]);
}
