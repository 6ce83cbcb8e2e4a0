import 'reflect-metadata';
import { createServer, request as httpRequest } from 'node:http';
import { connect as connectNats } from 'nats';
import { startFinnotechSimulator } from '../devnet/finnotech/finnotech.simulator.js';
import { SEED_CARDS } from '../devnet/finnotech/fixtures.js';
import { startPaystarSimulator } from '../devnet/paystar/paystar.simulator.js';
import { makeEvent } from '../platform/bus/envelope.js';
import { recordEvent } from '../platform/bus/outbox.js';
import { paymentsWorkerProcess } from '../platform/config/config.js';
import { newId } from '../platform/ids.js';
import type { PaymentServices } from '../subgraphs/payment/context.js';
import { providersFromConfig } from '../subgraphs/payment/providers.js';
import { gql } from '../testing/graphql-client.js';
import { startStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { startPaymentsWorker } from '../workers/payments/payments-worker.js';
import { arg, machine } from './harness.js';

/**
 * npm run bench:payments [-- --payments 300 --lines 10000 --credits 3000 --concurrency 16]
 * One in-process stack (real Postgres, Redis, NATS; the Paystar and FinnoTech simulators), three figures, each
 * counted until the ledger has committed every credit:
 *  (a) the ledger's plain credit rate: `credits` payment.deposit.received events written straight into the payment
 *      outbox (no Paystar, no statement): relay → ledger-payment-postings → DEPOSIT;
 *  (b) Paystar callbacks verified and credited per second: `payments` payments paid at the simulator, their
 *      callbacks posted `concurrency` at a time (lease, inquiry, verify, PAID + outbox in one transaction), until
 *      the ledger credited them all;
 *  (c) statement credits per second: one `lines`-line statement (pages of 100) read by the poller, each line stored
 *      once and matched by deposit id, until the ledger credited them all.
 * Prints (b) and (c) as ratios to (a), measured in the same run.
 */
const paymentCount = arg('payments', 300);
const lineCount = arg('lines', 10_000);
const creditCount = arg('credits', 3_000);
const concurrency = arg('concurrency', 16);

const paystar = await startPaystarSimulator();
const bank = await startFinnotechSimulator({ seedLines: 0, pageSize: 100 });
let paymentOrigin = '';
const forwarder = createServer((req, res) => {
  const proxied = httpRequest(
    new URL(req.url ?? '/', paymentOrigin),
    { method: req.method, headers: req.headers },
    (a) => {
      res.writeHead(a.statusCode ?? 502, a.headers);
      a.pipe(res);
    },
  );
  req.pipe(proxied);
});
await new Promise<void>((r) => forwarder.listen(0, '127.0.0.1', r));
const providerVars = {
  PAYSTAR_BASE_URL: paystar.apiBaseUrl,
  FINNOTECH_BASE_URL: bank.url,
  FINNOTECH_SOURCE_DEPOSIT: bank.deposit,
};
const stack = await startStack({
  ...providerVars,
  PAYMENT_PUBLIC_URL: `http://127.0.0.1:${(forwarder.address() as { port: number }).port}`,
  LOG_LEVEL: 'warn',
  OUTBOX_POLL_MS: '50',
  DATABASE_POOL_MAX: '20',
});
const payment = stack.subgraphs.get('payment')!;
paymentOrigin = new URL(payment.url).origin;
const services = (payment.app.context!() as { payment: PaymentServices }).payment;
const paymentEm = () => payment.deps.orm.em.fork();
const ledgerSql = <T>(text: string, params: unknown[] = []) =>
  stack.subgraphs.get('ledger')!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);
const workerConfig = paymentsWorkerProcess.load({ ...stack.vars, ...providerVars });
const worker = await startPaymentsWorker(workerConfig, stack.log, 0, providersFromConfig(workerConfig, stack.log), {
  loops: [],
});

async function credited(prefix: string): Promise<number> {
  const rows = await ledgerSql<{ n: number }>(
    `select count(*)::int as n from ledger.transaction where kind = 'DEPOSIT' and reference like ?`,
    [`payment:${prefix}%`],
  );
  return rows[0]!.n;
}

async function untilCredited(prefix: string, count: number): Promise<void> {
  const deadline = Date.now() + 600_000;
  while ((await credited(prefix)) < count) {
    if (Date.now() > deadline) throw new Error(`only ${await credited(prefix)} of ${count} ${prefix} credited`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

// A user with the KYC name of the simulator's first seed card, the card registered, a deposit id.
const signIn = await gql(
  stack.graphqlUrl,
  `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
  {
    d: initDataFor(newTelegramUser()),
  },
);
const { accessToken, user } = signIn.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
const viewer = { userId: user.id, roles: ['USER' as const], claims: [], sessionId: null };
const nc = await connectNats({ servers: stack.config.nats.url });
const approval = makeEvent('kyc.submission.approved', 'kyc', {
  submissionId: newId('kyc'),
  userId: user.id,
  tier: 'BASIC',
  approvedTier: 'BASIC',
  holderName: { firstName: 'علی', lastName: 'رضایی' },
});
await nc
  .jetstream()
  .publish(
    `${stack.config.nats.subjectPrefix}kyc.submission.approved`,
    new TextEncoder().encode(JSON.stringify(approval)),
    {
      msgID: approval.id,
    },
  );
await nc.close();
for (let i = 0; (await services.holders.nameOf(paymentEm(), user.id)) === null; i++) {
  if (i > 200) throw new Error('the KYC name never arrived');
  await new Promise((r) => setTimeout(r, 50));
}
const card = await gql(
  stack.graphqlUrl,
  `mutation($n: String!) { addBankCard(cardNumber: $n) { id } }`,
  { n: SEED_CARDS[0]!.card },
  accessToken,
);
const cardId = card.body.data!.addBankCard.id as string;
const { depositId } = await services.statements.instructions(paymentEm(), viewer);

// (a) the ledger's plain credit rate
const plainStart = performance.now();
for (let i = 0; i < creditCount; i += 500)
  await paymentEm().transactional(async (tx) => {
    for (let j = i; j < Math.min(i + 500, creditCount); j++)
      recordEvent(tx, 'payment.deposit.received', 'payment', {
        reference: `bank:plain-${j}`,
        userId: user.id,
        amount: '1000',
        channel: 'BANK_TRANSFER',
      });
  });
await untilCredited('bank:plain-', creditCount);
const plainRate = creditCount / ((performance.now() - plainStart) / 1000);

// (b) Paystar callbacks: sessions made and paid first (not timed), then every callback posted and credited
const callbacks: Record<string, string>[] = [];
await pool(
  Array.from({ length: paymentCount }, (_, i) => i),
  8,
  async (i) => {
    const p = await services.payments.start(paymentEm(), viewer, {
      amountToman: '10000',
      cardId,
      idempotencyKey: `bench-${i}`,
    });
    const paid = paystar.pay(p.token!, SEED_CARDS[0]!.card);
    if (!paid.ok) throw new Error(paid.error);
    callbacks.push(paid.fields as unknown as Record<string, string>);
  },
);
const callbackStart = performance.now();
await pool(callbacks, concurrency, async (fields) => {
  const res = await fetch(`${paymentOrigin}/payments/paystar/callback`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`callback answered ${res.status}`);
});
await untilCredited('paystar:', paymentCount);
const callbackRate = paymentCount / ((performance.now() - callbackStart) / 1000);

// (c) a 10,000-line statement
const base = Date.now() - 3_600_000;
for (let i = 0; i < lineCount; i++)
  bank.appendCredit({ kind: 'paya', amountToman: BigInt(1_000 + (i % 1000)), depositId, at: new Date(base + i * 100) });
const statementStart = performance.now();
const read = await worker.jobs.pollStatement();
const stored = performance.now();
await untilCredited('bank:', creditCount + lineCount);
const statementRate = lineCount / ((performance.now() - statementStart) / 1000);

console.log(`\npayments benchmark — ${machine()}`);
console.log(`(a) ledger plain credits:            ${plainRate.toFixed(0)}/s  (${creditCount} events)`);
console.log(
  `(b) Paystar callbacks credited:      ${callbackRate.toFixed(0)}/s  (${paymentCount} payments, ${concurrency} at a time) = ${(callbackRate / plainRate).toFixed(3)} × (a)`,
);
console.log(
  `(c) statement credits:               ${statementRate.toFixed(0)}/s  (${lineCount} lines, ${read.pages} pages, stored in ${((stored - statementStart) / 1000).toFixed(1)} s) = ${(statementRate / plainRate).toFixed(3)} × (a)`,
);

await worker.close();
await stack.close();
await new Promise((r) => forwarder.close(r));
await paystar.close();
await bank.close();
process.exit(0);
