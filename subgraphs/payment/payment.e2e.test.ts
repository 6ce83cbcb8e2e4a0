import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import { connect as connectNats } from 'nats';
import WebSocket from 'ws';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../platform/bus/envelope.js';
import { paymentsWorkerProcess } from '../../platform/config/config.js';
import { startFinnotechSimulator, type FinnotechSimulator } from '../../devnet/finnotech/finnotech.simulator.js';
import { ibanFor, SEED_CARDS, SEED_IBANS, withLuhn } from '../../devnet/finnotech/fixtures.js';
import { startPaystarSimulator, type PaystarSimulator } from '../../devnet/paystar/paystar.simulator.js';
import { errorCode, gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { callSubgraphAs, signInStaff } from '../../testing/viewers.js';
import { startPaymentsWorker, type RunningPaymentsWorker } from '../../workers/payments/payments-worker.js';
import { providersFromConfig } from './providers.js';
import { until } from '../../testing/until.js';

/**
 * Toman in and out through the gateway, with the Paystar and FinnoTech simulators, the ledger, the outbox relay
 * and the payments worker's jobs on real Postgres and NATS: card payments paid in headless Chromium, callbacks
 * replayed and forged, cards and IBANs checked against the KYC name, statement deposits, payouts that crash,
 * time out or fail.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ALI_CARD = SEED_CARDS[0]!; // علی رضایی
const MARYAM_CARD = SEED_CARDS[1]!; // مریم کریمی
const ALI_IBAN = SEED_IBANS[0]!.iban;

let stack: TestStack;
let paystar: PaystarSimulator;
let bank: FinnotechSimulator;
let browser: Browser;
let worker: RunningPaymentsWorker;
let workerVars: Record<string, string | undefined>;
let forwarder: Server;
let paymentOrigin = '';

/** PAYMENT_PUBLIC_URL must be known before the payment subgraph starts on its ephemeral port: a forwarder. */
async function startForwarder(): Promise<string> {
  forwarder = createServer((req, res) => {
    const target = new URL(req.url ?? '/', paymentOrigin);
    const proxied = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    proxied.on('error', () => res.writeHead(502).end());
    req.pipe(proxied);
  });
  await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
  const address = forwarder.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
  paystar = await startPaystarSimulator();
  bank = await startFinnotechSimulator({ seedLines: 0, pageSize: 40 });
  const publicUrl = await startForwarder();
  const providers = {
    PAYSTAR_BASE_URL: paystar.apiBaseUrl,
    FINNOTECH_BASE_URL: bank.url,
    FINNOTECH_SOURCE_DEPOSIT: bank.deposit,
  };
  stack = await startStack({ ...providers, PAYMENT_PUBLIC_URL: publicUrl, PAYMENT_HOLD_WAIT_MS: '10000' });
  paymentOrigin = new URL(stack.subgraphs.get('payment')!.url).origin;
  workerVars = {
    ...stack.vars,
    ...providers,
    PAYMENT_PAYOUT_INQUIRY_SECONDS: '1',
    PAYMENT_RECONCILE_IDLE_SECONDS: '1',
  };
  const workerConfig = paymentsWorkerProcess.load(workerVars);
  worker = await startPaymentsWorker(workerConfig, stack.log, 0, providersFromConfig(workerConfig, stack.log), {
    loops: [],
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
}, 120_000);

const wsClients: Client[] = [];
afterAll(async () => {
  for (const c of wsClients) await c.dispose();
  await browser?.close();
  await worker?.close();
  await stack?.close();
  await new Promise((r) => forwarder?.close(r));
  await paystar?.close();
  await bank?.close();
});

const sql =
  (subgraph: string) =>
  <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    stack.subgraphs.get(subgraph)!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);

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
    () => sql('ledger')(`select 1 from ledger.user_directory where user_id = ?`, [user.id]),
    (r) => r.length === 1,
  );
  return { token: accessToken, userId: user.id };
}

/** kyc's approval as its outbox relay would publish it (the KYC flow itself is kyc's e2e tests'). */
async function approveKyc(p: Person, firstName: string, lastName: string): Promise<void> {
  const nc = await connectNats({ servers: stack.config.nats.url });
  try {
    const event = makeEvent('kyc.submission.approved', 'kyc', {
      submissionId: `kyc_${Date.now()}`,
      userId: p.userId,
      tier: 'BASIC',
      approvedTier: 'BASIC',
      holderName: { firstName, lastName },
    });
    await nc
      .jetstream()
      .publish(
        `${stack.config.nats.subjectPrefix}kyc.submission.approved`,
        new TextEncoder().encode(JSON.stringify(event)),
        {
          msgID: event.id,
        },
      );
  } finally {
    await nc.close();
  }
  await until(
    'payment to learn the KYC name',
    () => sql('payment')(`select 1 from payment.kyc_holder where user_id = ?`, [p.userId]),
    (r) => r.length === 1,
  );
}

async function irt(p: Person): Promise<{ available: string; held: string }> {
  const res = await gql(stack.graphqlUrl, `{ me { balances(assets: ["IRT"]) { available held } } }`, {}, p.token);
  return res.body.data!.me.balances[0] as { available: string; held: string };
}

const ADD_CARD = `mutation($n: String!) { addBankCard(cardNumber: $n) { id maskedNumber bankName } }`;
const ADD_IBAN = `mutation($i: String!) { addBankAccount(iban: $i) { id iban } }`;
const START = `mutation($a: Amount!, $c: ID!, $k: String!) { startCardPayment(amountToman: $a, cardId: $c, idempotencyKey: $k) { id status paymentUrl } }`;
const WITHDRAW = `mutation($a: Amount!, $b: ID!, $k: String!) { requestFiatWithdrawal(amountToman: $a, bankAccountId: $b, idempotencyKey: $k) { id status needsApproval } }`;

let ali: Person;
let aliCardId: string;

describe('cards and IBANs', () => {
  it('checks Luhn, mod-97 and the KYC name, and a card belongs to one user', async () => {
    ali = await signIn();
    const noKyc = await gql(stack.graphqlUrl, ADD_CARD, { n: ALI_CARD.card }, ali.token);
    expect(errorCode(noKyc)).toBe('KYC_REQUIRED');
    await approveKyc(ali, 'علي', 'رضایی');
    const badLuhn = await gql(stack.graphqlUrl, ADD_CARD, { n: '6037991327465279' }, ali.token);
    expect(errorCode(badLuhn)).toBe('CARD_NUMBER_INVALID');
    const other = await gql(stack.graphqlUrl, ADD_CARD, { n: MARYAM_CARD.card }, ali.token);
    expect(errorCode(other)).toBe('HOLDER_NAME_MISMATCH');
    const added = await gql(stack.graphqlUrl, ADD_CARD, { n: '۶۰۳۷ ۹۹۱۳ ۲۷۴۶ ۵۲۷۸' }, ali.token);
    expect(added.body.errors).toBeUndefined();
    expect(added.body.data!.addBankCard.maskedNumber).toBe('603799******5278');
    aliCardId = added.body.data!.addBankCard.id as string;

    const twin = await signIn(); // same name, another account
    await approveKyc(twin, 'علی', 'رضایی');
    const taken = await gql(stack.graphqlUrl, ADD_CARD, { n: ALI_CARD.card }, twin.token);
    expect(errorCode(taken)).toBe('CONFLICT');
    expect(taken.body.errors![0]!.extensions!.reason).toBe('CARD_TAKEN');
    const elsewhere = await gql(stack.graphqlUrl, START, { a: '10000', c: aliCardId, k: 'x' }, twin.token);
    expect(errorCode(elsewhere)).toBe('NOT_FOUND');

    const badIban = await gql(stack.graphqlUrl, ADD_IBAN, { i: ALI_IBAN.slice(0, -1) + '9' }, ali.token);
    expect(errorCode(badIban)).toBe('IBAN_INVALID');
    const maryamIban = await gql(stack.graphqlUrl, ADD_IBAN, { i: SEED_IBANS[1]!.iban }, ali.token);
    expect(errorCode(maryamIban)).toBe('HOLDER_NAME_MISMATCH');
    const iban = await gql(stack.graphqlUrl, ADD_IBAN, { i: ALI_IBAN }, ali.token);
    expect(iban.body.errors).toBeUndefined();
    const mine = await gql(stack.graphqlUrl, `{ me { bankCards { id } bankAccounts { iban } } }`, {}, ali.token);
    expect(mine.body.data!.me).toEqual({ bankCards: [{ id: aliCardId }], bankAccounts: [{ iban: ALI_IBAN }] });
  });
});

describe('Paystar card payments', () => {
  let paidId = '';
  let callbackFields: Record<string, string> = {};

  it('paid on the simulator page in headless Chromium → verified → IRT grows by exactly the amount', async () => {
    const started = await gql(stack.graphqlUrl, START, { a: '250000', c: aliCardId, k: 'pay-1' }, ali.token);
    expect(started.body.errors).toBeUndefined();
    const { id, status, paymentUrl } = started.body.data!.startCardPayment as {
      id: string;
      status: string;
      paymentUrl: string;
    };
    expect(status).toBe('INIT');
    paidId = id;
    const page = await browser.newPage();
    const posted: Record<string, string>[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/payments/paystar/callback') && r.method() === 'POST')
        posted.push(Object.fromEntries(new URLSearchParams(r.postData() ?? '')));
    });
    try {
      await page.goto(paymentUrl);
      await page.fill('#card', ALI_CARD.card);
      await page.click('#pay');
      await page.waitForURL(/\/payments\/result\?/);
      expect(page.url()).toContain(`payment=${id}`);
      expect(page.url()).toContain('status=PAID');
    } finally {
      await page.close();
    }
    callbackFields = posted[0]!;
    await until(
      'the credit',
      () => irt(ali),
      (b) => b.available === '250000',
    );
    const payment = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { payment(id: $id) { status trackingCode } }`,
      { id },
      ali.token,
    );
    expect(payment.body.data!.payment.status).toBe('PAID');
    const history = await gql(
      stack.graphqlUrl,
      `{ me { payments(first: 5) { edges { node { id status } } } } }`,
      {},
      ali.token,
    );
    expect(history.body.data!.me.payments.edges).toEqual([{ node: { id, status: 'PAID' } }]);
  }, 60_000);

  it('the callback replayed 20 times concurrently credits once and verifies once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${paymentOrigin}/payments/paystar/callback`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(callbackFields).toString(),
          redirect: 'manual',
        }),
      ),
    );
    for (const a of answers) expect(a.headers.get('location')).toContain('status=PAID');
    await new Promise((r) => setTimeout(r, 1000)); // anything a replay requested would have reached the ledger
    expect((await irt(ali)).available).toBe('250000');
    const credits = await sql('ledger')(`select count(*)::int as n from ledger.transaction where reference = ?`, [
      `payment:paystar:${paidId}`,
    ]);
    expect(credits[0]!.n).toBe(1);
    expect(paystar.payments().filter((p) => p.orderId === paidId)[0]!.verifyCalls).toBe(1);
  });

  it('a forged status=1 callback for an unpaid token credits nothing; the reconciler leaves it open until paid', async () => {
    const started = await gql(stack.graphqlUrl, START, { a: '40000', c: aliCardId, k: 'pay-2' }, ali.token);
    const { id } = started.body.data!.startCardPayment as { id: string };
    const stored = await sql('payment')<{ ref_num: string }>(`select ref_num from payment.payment where id = ?`, [id]);
    const forged = await fetch(`${paymentOrigin}/payments/paystar/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        status: '1',
        order_id: id,
        ref_num: stored[0]!.ref_num,
        transaction_id: '1',
        card_number: '603799******5278',
        tracking_code: '123456',
      }).toString(),
      redirect: 'manual',
    });
    expect(forged.headers.get('location')).not.toContain('status=PAID');
    await new Promise((r) => setTimeout(r, 1500));
    await worker.jobs.reconcile(10);
    expect((await irt(ali)).available).toBe('250000');
    const row = await sql('payment')<{ status: string }>(`select status from payment.payment where id = ?`, [id]);
    expect(row[0]!.status).toBe('CALLBACK_RECEIVED');
  });

  it('paid with a card other than the registered one: refused, recorded, never verified or credited', async () => {
    const started = await gql(stack.graphqlUrl, START, { a: '30000', c: aliCardId, k: 'pay-3' }, ali.token);
    const { id } = started.body.data!.startCardPayment as { id: string };
    const session = paystar.payments().find((p) => p.orderId === id)!;
    const paid = paystar.pay(session.token, ALI_CARD.card);
    if (!paid.ok) throw new Error(paid.error);
    // Our record names another of Ali's cards than the one that paid (a registered second card).
    const second = withLuhn('603799132746600');
    bank.registerCard({
      card: second,
      name: 'علی رضایی',
      bankName: 'بانک ملی ایران',
      iban: ibanFor('0170000000123456789099'),
    });
    const added = await gql(stack.graphqlUrl, ADD_CARD, { n: second }, ali.token);
    await sql('payment')(`update payment.payment set card_id = ? where id = ?`, [added.body.data!.addBankCard.id, id]);
    await fetch(`${paymentOrigin}/payments/paystar/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(paid.fields as unknown as Record<string, string>).toString(),
      redirect: 'manual',
    });
    const row = await sql('payment')<{ status: string; failure_reason: string }>(
      `select status, failure_reason from payment.payment where id = ?`,
      [id],
    );
    expect(row[0]).toMatchObject({ status: 'REFUSED' });
    expect(row[0]!.failure_reason).toMatch(/^CARD_MISMATCH/);
    expect(paystar.payments().find((p) => p.orderId === id)!.verifyCalls).toBe(0);
    expect((await irt(ali)).available).toBe('250000');
  });
});

describe('statement deposits', () => {
  it('200 credits across pages, read in overlapping windows with duplicates: each credited once, the rest parked', async () => {
    const before = BigInt((await irt(ali)).available);
    const instructions = await gql(
      stack.graphqlUrl,
      `{ bankDepositInstructions { depositId card iban } }`,
      {},
      ali.token,
    );
    const depositId = instructions.body.data!.bankDepositInstructions.depositId as string;
    let expected = 0n;
    const start = Date.now() - 30 * 60_000;
    for (let i = 0; i < 200; i++) {
      const amount = BigInt(10_000 + i);
      const at = new Date(start + i * 5_000);
      if (i % 4 === 0) bank.appendCredit({ kind: 'paya', amountToman: amount, depositId: '1234567897', at });
      else if (i % 4 === 1) bank.appendCredit({ kind: 'card', amountToman: amount, sourceCard: ALI_CARD.card, at });
      else bank.appendCredit({ kind: 'paya', amountToman: amount, depositId, at });
      if (i % 4 !== 0) expected += amount;
    }
    const first = await worker.jobs.pollStatement();
    const second = await worker.jobs.pollStatement(); // the same window again (overlap): all duplicates
    expect(first.pages).toBeGreaterThan(1);
    expect(first.credited).toBe(150);
    expect(first.parked).toBe(50);
    expect(second).toMatchObject({ credited: 0, parked: 0, duplicates: 200 });
    await until(
      'the credits',
      () => irt(ali),
      (b) => BigInt(b.available) === before + expected,
      30_000,
    );

    const staff = await signInStaff(stack, ['FINANCE']);
    await sql('identity')(`update identity."user" set claims = '{ledger:adjust}' where id = ?`, [staff.userId]);
    const reSigned = await signInStaffAgain(staff.userId);
    const parked = await gql(
      stack.graphqlUrl,
      `{ unmatchedBankCredits(first: 100) { edges { node { id amountToman depositId } } } }`,
      {},
      reSigned,
    );
    expect(parked.body.errors).toBeUndefined();
    const nodes = parked.body.data!.unmatchedBankCredits.edges as { node: { id: string; amountToman: string } }[];
    expect(nodes).toHaveLength(50);
    const denied = await gql(
      stack.graphqlUrl,
      `{ unmatchedBankCredits(first: 1) { edges { cursor } } }`,
      {},
      ali.token,
    );
    expect(errorCode(denied)).toBe('FORBIDDEN');
    const assign = `mutation($id: ID!, $u: ID!) { assignBankCredit(id: $id, userId: $u) { status userId } }`;
    const target = nodes[0]!.node;
    const assigned = await gql(stack.graphqlUrl, assign, { id: target.id, u: ali.userId }, reSigned);
    expect(assigned.body.data!.assignBankCredit).toEqual({ status: 'ASSIGNED', userId: ali.userId });
    const again = await gql(stack.graphqlUrl, assign, { id: target.id, u: ali.userId }, reSigned);
    expect(errorCode(again)).toBe('CONFLICT');
    await until(
      'the assigned credit',
      () => irt(ali),
      (b) => BigInt(b.available) === before + expected + BigInt(target.amountToman),
    );
  }, 90_000);
});

/** The staff token after a claim change (claims are in the token). */
async function signInStaffAgain(userId: string): Promise<string> {
  const rows = await sql('identity')<{ email: string }>(
    `select email from identity.admin_credential where user_id = ?`,
    [userId],
  );
  const email = rows[0]?.email;
  if (!email) throw new Error('staff e-mail not found');
  const res = await gql(
    stack.graphqlUrl,
    `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken } }`,
    { e: email, p: 'correct horse battery staple' },
  );
  return res.body.data!.signInAdmin.accessToken as string;
}

describe('Toman withdrawals', () => {
  let accountId = '';

  async function withdraw(amount: string, key: string) {
    if (!accountId) {
      const me = await gql(stack.graphqlUrl, `{ me { bankAccounts { id } } }`, {}, ali.token);
      accountId = me.body.data!.me.bankAccounts[0].id as string;
    }
    return gql(stack.graphqlUrl, WITHDRAW, { a: amount, b: accountId, k: key }, ali.token);
  }

  async function idle(id: string) {
    await sql('payment')(`update payment.fiat_withdrawal set updated_at = now() - interval '1 hour' where id = ?`, [
      id,
    ]);
  }

  it('more than the balance is INSUFFICIENT_FUNDS, at once', async () => {
    const res = await withdraw('900000000', 'w-too-much');
    expect(errorCode(res)).toBe('BAD_USER_INPUT'); // above Paya's cap
    const big = await withdraw('40000000', 'w-big');
    expect(errorCode(big)).toBe('INSUFFICIENT_FUNDS');
  });

  it('the worker killed after the bank transfer and before recording: exactly one transfer, then DONE and captured', async () => {
    const before = await irt(ali);
    const res = await withdraw('100000', 'w-kill');
    expect(res.body.errors).toBeUndefined();
    const { id, status } = res.body.data!.requestFiatWithdrawal as { id: string; status: string };
    expect(status).toBe('APPROVED');
    expect(await irt(ali)).toEqual({
      available: String(BigInt(before.available) - 100_000n),
      held: String(BigInt(before.held) + 100_000n),
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/payment/testing/payout-child.ts', id], {
      env: { ...process.env, ...workerVars, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('SENT')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code} before sending`)));
    });
    child.kill('SIGKILL');
    const row = await sql('payment')<{ status: string; track_id: string }>(
      `select status, track_id from payment.fiat_withdrawal where id = ?`,
      [id],
    );
    expect(row[0]!.status).toBe('SENDING');
    expect(bank.transfers().filter((t) => t.trackId === row[0]!.track_id)).toHaveLength(1);
    await idle(id);
    await worker.jobs.payout(10);
    await worker.jobs.payout(10);
    const done = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { fiatWithdrawal(id: $id) { status bankReference } }`,
      { id },
      ali.token,
    );
    expect(done.body.data!.fiatWithdrawal.status).toBe('DONE');
    expect(bank.transfers().filter((t) => t.paymentNumber && t.trackId === row[0]!.track_id)).toHaveLength(1);
    expect(bank.transfers().filter((t) => t.destinationIban === ALI_IBAN)).toHaveLength(1);
    await until(
      'the capture',
      () => irt(ali),
      (b) => b.held === before.held,
    );
  }, 60_000);

  it('fiatWithdrawalUpdated pushes the viewer’s own withdrawal at each change, and nobody else’s', async () => {
    const watch = (token: string) => {
      const client = createClient({
        url: stack.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => undefined,
      });
      wsClients.push(client);
      const seen: { id: string; status: string }[] = [];
      client.subscribe<{ fiatWithdrawalUpdated: { id: string; status: string } }>(
        { query: 'subscription { fiatWithdrawalUpdated { id status } }' },
        {
          next: (v) => v.data && seen.push(v.data.fiatWithdrawalUpdated),
          error: () => undefined,
          complete: () => undefined,
        },
      );
      return seen;
    };
    const mine = watch(ali.token);
    const stranger = await signIn();
    const theirs = watch(stranger.token);
    await new Promise((r) => setTimeout(r, 500)); // the gateway holds the NATS subscription
    const res = await withdraw('15000', 'w-live');
    const id = res.body.data!.requestFiatWithdrawal.id as string;
    await worker.jobs.payout(10);
    await until(
      'the DONE push',
      async () => mine,
      (seen) => seen.some((w) => w.id === id && w.status === 'DONE'),
    );
    expect(mine.every((w) => w.id === id)).toBe(true);
    expect(mine.length).toBeGreaterThanOrEqual(2); // REQUESTED/APPROVED/SENDING/DONE pushes (each follow-up reads the state then)
    await new Promise((r) => setTimeout(r, 300));
    expect(theirs).toEqual([]);
  }, 30_000);

  it('Payment and FiatWithdrawal resolve through _entities for their owner only', async () => {
    const mine = await gql(
      stack.graphqlUrl,
      `{ me { fiatWithdrawals(first: 1) { edges { node { id } } } payments(first: 1) { edges { node { id } } } } }`,
      {},
      ali.token,
    );
    const withdrawalId = mine.body.data!.me.fiatWithdrawals.edges[0].node.id as string;
    const paymentId = mine.body.data!.me.payments.edges[0].node.id as string;
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id paymentStatus: status } ... on FiatWithdrawal { id withdrawalStatus: status } } }`;
    const r = [
      { __typename: 'Payment', id: paymentId },
      { __typename: 'FiatWithdrawal', id: withdrawalId },
      { __typename: 'Payment', id: 'pay_00000000000000000000000000' },
    ];
    const owner = await callSubgraphAs(
      stack,
      'payment',
      { userId: ali.userId, roles: ['USER'], claims: [], sessionId: null },
      query,
      { r },
    );
    expect(owner.body.errors, JSON.stringify(owner.body.errors)).toBeUndefined();
    expect(owner.body.data!._entities).toHaveLength(3);
    expect(owner.body.data!._entities[0]).toMatchObject({ id: paymentId });
    expect(owner.body.data!._entities[1]).toMatchObject({ id: withdrawalId, withdrawalStatus: 'DONE' });
    expect(owner.body.data!._entities[2]).toBeNull();
    const other = await callSubgraphAs(
      stack,
      'payment',
      { userId: 'usr_someone', roles: ['USER'], claims: [], sessionId: null },
      query,
      { r },
    );
    expect(other.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('408 then inquiry → DONE; FAILED → the hold is released', async () => {
    const before = await irt(ali);
    bank.injectTransfer({ mode: 'timeout-after-transfer' });
    const timedOut = await withdraw('20000', 'w-408');
    const id408 = timedOut.body.data!.requestFiatWithdrawal.id as string;
    await worker.jobs.payout(10);
    let row = await sql('payment')<{ status: string }>(`select status from payment.fiat_withdrawal where id = ?`, [
      id408,
    ]);
    expect(row[0]!.status).toBe('SENDING');
    await idle(id408);
    await worker.jobs.payout(10);
    row = await sql('payment')<{ status: string }>(`select status from payment.fiat_withdrawal where id = ?`, [id408]);
    expect(row[0]!.status).toBe('DONE');

    bank.injectTransfer({ mode: 'failed' });
    const failing = await withdraw('30000', 'w-fail');
    const idFail = failing.body.data!.requestFiatWithdrawal.id as string;
    await worker.jobs.payout(10);
    row = await sql('payment')<{ status: string }>(`select status from payment.fiat_withdrawal where id = ?`, [idFail]);
    expect(row[0]!.status).toBe('FAILED');
    await until(
      'the release',
      () => irt(ali),
      (b) => b.held === before.held && b.available === String(BigInt(before.available) - 20_000n),
    );
    const transfers408 = bank.transfers().filter((t) => t.amount === 200_000);
    expect(transfers408).toHaveLength(1);
  }, 60_000);
});
