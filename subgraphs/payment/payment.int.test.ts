import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../platform/bus/envelope.js';
import { paymentProcess, type PaymentConfig } from '../../platform/config/config.js';
import type { Viewer } from '../../platform/auth/viewer.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { startSubgraph, type RunningSubgraph } from '../../platform/service/subgraph.js';
import { createPaystarGateway } from '../../providers/paystar/paystar.client.js';
import { startPaystarSimulator, type PaystarSimulator } from '../../devnet/paystar/paystar.simulator.js';
import { FAST_RESILIENCE } from '../../testing/provider-fixtures.js';
import { createTestEnv, type TestEnv } from '../../testing/test-env.js';
import { definePaymentSubgraph } from './app.js';
import type { PaymentServices } from './context.js';
import { Payment } from './deposit/payment.entity.js';
import { CALLBACK_PATH } from './deposit/payment.callback.js';
import { BankCredit } from './statement/statement.entity.js';
import { FakeBank } from './testing/finnotech.fake.js';
import { FiatWithdrawal } from './withdrawal/withdrawal.entity.js';

const CARD = '6037991327465278';
const CARD_FA = '۶۰۳۷ ۹۹۱۳ ۲۷۴۶ ۵۲۷۸';
const OTHER_CARD = '6104337966585547';
const IBAN = 'IR820540102680020817909002';

let env: TestEnv;
let sim: PaystarSimulator;
let running: RunningSubgraph<PaymentConfig>;
let services: PaymentServices;
const bank = new FakeBank();

beforeAll(async () => {
  sim = await startPaystarSimulator();
  env = await createTestEnv({ PAYSTAR_BASE_URL: sim.apiBaseUrl, PAYMENT_HOLD_WAIT_MS: '300' });
  const definition = definePaymentSubgraph((config) => ({
    paystar: createPaystarGateway({ ...config.paystar, resilience: FAST_RESILIENCE }),
    finnotech: bank,
  }));
  const config = paymentProcess.load(env.vars);
  running = await startSubgraph(definition, config, env.log, 0);
  // The public URL is only known once the port is: the callback Paystar is given must reach this server.
  services = (running.app.context!() as { payment: PaymentServices }).payment;
  (services.payments as unknown as { settings: { callbackUrl: string } }).settings.callbackUrl = running.url.replace(
    '/graphql',
    CALLBACK_PATH,
  );
});
afterAll(async () => {
  await running?.close();
  await sim?.close();
  await env?.cleanup();
});

const em = () => running.deps.orm.em.fork();
const user = (): Viewer => ({ userId: newId('usr'), roles: ['USER'], claims: [], sessionId: null });

async function withKyc(viewer: Viewer, firstName = 'علی', lastName = 'رضایی'): Promise<void> {
  const event = makeEvent('kyc.submission.approved', 'kyc', {
    submissionId: newId('kyc'),
    userId: viewer.userId,
    tier: 'BASIC',
    approvedTier: 'BASIC',
    holderName: { firstName, lastName },
  });
  await em().transactional((tx) => services.holders.apply(tx, event, env.log));
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError) return `${err.code}${err.details.reason ? `:${String(err.details.reason)}` : ''}`;
    throw err;
  }
  return 'OK';
}

async function credits(reference: string): Promise<number> {
  const rows = await em()
    .getConnection()
    .execute<{ n: string }[]>(
      `select count(*)::text as n from payment.outbox where subject = 'payment.deposit.received' and envelope->'payload'->>'reference' = ?`,
      [reference],
    );
  return Number(rows[0]!.n);
}

describe('bank cards and IBANs', () => {
  it('checks Luhn and mod-97, the KYC name (letters normalised) and that nobody else holds it', async () => {
    const alice = user();
    expect(await code(services.instruments.addCard(em(), alice, '6037991327465279'))).toBe(
      'CARD_NUMBER_INVALID:CHECKSUM',
    );
    expect(await code(services.instruments.addCard(em(), alice, '60379913'))).toBe('CARD_NUMBER_INVALID:FORMAT');
    expect(await code(services.instruments.addCard(em(), alice, CARD))).toBe('KYC_REQUIRED');
    await withKyc(alice);
    // The bank writes the name with Arabic yeh and a ZWNJ-free spacing: still Alice.
    bank.cards.set(CARD, { name: 'علي  رضايي', bankName: 'Saderat' });
    bank.cards.set(OTHER_CARD, { name: 'مریم احمدی', bankName: 'Mellat' });
    const card = await services.instruments.addCard(em(), alice, CARD_FA);
    expect(card).toMatchObject({ userId: alice.userId, masked: '603799******5278' });
    expect(card.numberEnc).not.toContain(CARD);
    expect(await code(services.instruments.addCard(em(), alice, OTHER_CARD))).toBe('HOLDER_NAME_MISMATCH');
    const bob = user();
    await withKyc(bob, 'علی', 'رضایی');
    expect(await code(services.instruments.addCard(em(), bob, CARD))).toBe('CONFLICT:CARD_TAKEN');

    expect(await code(services.instruments.addAccount(em(), alice, 'IR820540102680020817909003'))).toBe(
      'IBAN_INVALID:CHECKSUM',
    );
    expect(await code(services.instruments.addAccount(em(), alice, 'IR82054010268002081790900'))).toBe(
      'IBAN_INVALID:FORMAT',
    );
    bank.ibans.set(IBAN, {
      iban: IBAN,
      bankName: 'Saderat',
      owners: [{ firstName: 'علي', lastName: 'رضایی' }],
      accountStatus: 'active',
    });
    const account = await services.instruments.addAccount(em(), alice, ` ir82 0540 1026 8002 0817 9090 02 `);
    expect(account).toMatchObject({ iban: IBAN, userId: alice.userId });
    expect(services.instruments.ownerOf(account)).toEqual({ firstName: 'علي', lastName: 'رضایی' });
  });
});

async function payer(card = CARD): Promise<{ viewer: Viewer; cardId: string }> {
  const viewer = user();
  await withKyc(viewer);
  // Each test user gets their own card number (one card, one user).
  bank.cards.set(card, { name: 'علی رضایی', bankName: null });
  const row = await services.instruments.addCard(em(), viewer, card);
  return { viewer, cardId: row.id };
}

/** A Luhn-valid card number of its own per call. */
let serial = 100_000;
function freshCard(): string {
  const body = `603799${String(serial++).padStart(9, '0')}`;
  for (let d = 0; d <= 9; d++) {
    const c = body + d;
    let sum = 0;
    for (let i = 0; i < c.length; i++) {
      let x = Number(c[c.length - 1 - i]);
      if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return c;
  }
  throw new Error('unreachable');
}

async function postCallback(fields: Record<string, string>): Promise<Response> {
  return fetch(running.url.replace('/graphql', CALLBACK_PATH), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

describe('Paystar card payments', () => {
  it('pays, and 20 concurrent callbacks verify once and request one credit', async () => {
    const card = freshCard();
    const { viewer, cardId } = await payer(card);
    const payment = await services.payments.start(em(), viewer, {
      amountToman: '150000',
      cardId,
      idempotencyKey: 'k1',
    });
    expect(payment.status).toBe('INIT');
    expect(payment.paymentUrl).toContain('token=');
    const again = await services.payments.start(em(), viewer, { amountToman: '150000', cardId, idempotencyKey: 'k1' });
    expect(again.id).toBe(payment.id);
    expect(
      await code(services.payments.start(em(), viewer, { amountToman: '1000', cardId, idempotencyKey: 'k1' })),
    ).toBe('CONFLICT:IDEMPOTENCY_KEY_REUSED');

    const paid = sim.pay(payment.token!, card);
    if (!paid.ok) throw new Error(paid.error);
    const fields = paid.fields as unknown as Record<string, string>;
    const answers = await Promise.all(Array.from({ length: 20 }, () => postCallback(fields)));
    for (const a of answers) {
      expect(a.status).toBe(303);
      expect(a.headers.get('location')).toContain(`payment=${payment.id}`);
    }
    const row = await em().findOneOrFail(Payment, { id: payment.id });
    expect(row.status).toBe('PAID');
    expect(await credits(`paystar:${payment.id}`)).toBe(1);
    expect(sim.payment(payment.refNum!)!.verifyCalls).toBe(1);
    // A refresh of the result (a replayed callback) changes nothing.
    expect((await postCallback(fields)).headers.get('location')).toContain('status=PAID');
    expect(await credits(`paystar:${payment.id}`)).toBe(1);
  });

  it('a forged status=1 for an unpaid token credits nothing and verifies nothing', async () => {
    const card = freshCard();
    const { viewer, cardId } = await payer(card);
    const payment = await services.payments.start(em(), viewer, { amountToman: '20000', cardId, idempotencyKey: 'f' });
    const answer = await postCallback({
      status: '1',
      order_id: payment.id,
      ref_num: payment.refNum!,
      transaction_id: '123',
      card_number: '603799******5278',
      tracking_code: '999999',
    });
    expect(answer.status).toBe(303);
    const row = await em().findOneOrFail(Payment, { id: payment.id });
    expect(row.status).toBe('CALLBACK_RECEIVED');
    expect(await credits(`paystar:${payment.id}`)).toBe(0);
    expect(sim.payment(payment.refNum!)!.verifyCalls).toBe(0);
  });

  it('refuses a payment whose amount or card is not ours, records why, and never verifies it', async () => {
    const card = freshCard();
    const { viewer, cardId } = await payer(card);
    const payment = await services.payments.start(em(), viewer, { amountToman: '30000', cardId, idempotencyKey: 'a' });
    const paid = sim.pay(payment.token!, card);
    if (!paid.ok) throw new Error(paid.error);
    // Our record says another amount than Paystar charged.
    await em().nativeUpdate(Payment, { id: payment.id }, { amount: 31000n });
    await postCallback(paid.fields as unknown as Record<string, string>);
    const row = await em().findOneOrFail(Payment, { id: payment.id });
    expect(row.status).toBe('REFUSED');
    expect(row.failureReason).toMatch(/^AMOUNT_MISMATCH/);
    expect(await credits(`paystar:${payment.id}`)).toBe(0);
    expect(sim.payment(payment.refNum!)!.verifyCalls).toBe(0);

    const second = await services.payments.start(em(), viewer, { amountToman: '30000', cardId, idempotencyKey: 'b' });
    const paid2 = sim.pay(second.token!, card);
    if (!paid2.ok) throw new Error(paid2.error);
    // Our record points at another card of the user's than the one that paid.
    const { cardId: otherCardId } = await payer(freshCard());
    await em().nativeUpdate(Payment, { id: second.id }, { cardId: otherCardId });
    await postCallback(paid2.fields as unknown as Record<string, string>);
    const row2 = await em().findOneOrFail(Payment, { id: second.id });
    expect(row2.status).toBe('REFUSED');
    expect(row2.failureReason).toMatch(/^CARD_MISMATCH/);
    expect(await credits(`paystar:${second.id}`)).toBe(0);
  });

  it('a payment verified at Paystar that we crashed before recording is recorded by the reconciler, once', async () => {
    const card = freshCard();
    const { viewer, cardId } = await payer(card);
    const payment = await services.payments.start(em(), viewer, { amountToman: '70000', cardId, idempotencyKey: 'c' });
    const paid = sim.pay(payment.token!, card);
    if (!paid.ok) throw new Error(paid.error);
    // Our process moved it to VERIFYING, called verify, and died before recording the answer.
    await em().nativeUpdate(Payment, { id: payment.id }, { status: 'VERIFYING' });
    const client = createPaystarGateway({ ...running.deps.config.paystar, resilience: FAST_RESILIENCE });
    const verified = await client.verify({
      refNum: payment.refNum!,
      amountToman: 70_000n,
      cardNumber: paid.fields.card_number!,
      trackingCode: paid.fields.tracking_code!,
    });
    expect(verified.outcome).toBe('VERIFIED');
    expect(await services.payments.openPayments(em(), 0, 100)).toContain(payment.id);
    expect(await services.payments.settle(em(), payment.id)).toBe('PAID');
    expect(await services.payments.settle(em(), payment.id)).toBe('PAID');
    expect(await credits(`paystar:${payment.id}`)).toBe(1);
    expect(sim.payment(payment.refNum!)!.verifyCalls).toBe(1);
  });

  it('a GET callback (fields in the query) settles like the form POST', async () => {
    const card = freshCard();
    const { viewer, cardId } = await payer(card);
    const payment = await services.payments.start(em(), viewer, { amountToman: '12000', cardId, idempotencyKey: 'g' });
    const paid = sim.pay(payment.token!, card);
    if (!paid.ok) throw new Error(paid.error);
    const query = new URLSearchParams(paid.fields as unknown as Record<string, string>).toString();
    const answer = await fetch(`${running.url.replace('/graphql', CALLBACK_PATH)}?${query}`, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toContain('status=PAID');
    expect(await credits(`paystar:${payment.id}`)).toBe(1);
  });

  it('someone else’s card id is NOT_FOUND', async () => {
    const { cardId } = await payer(freshCard());
    const mallory = user();
    expect(
      await code(services.payments.start(em(), mallory, { amountToman: '20000', cardId, idempotencyKey: 'm' })),
    ).toBe('NOT_FOUND');
  });
});

describe('statement deposits', () => {
  it('credits 200 lines across pages and overlapping windows once each, and parks the unmatched', async () => {
    const { viewer } = await payer(freshCard());
    const { depositId } = await services.statements.instructions(em(), viewer);
    const card = freshCard();
    const { viewer: carol } = await payer(card);
    const t0 = Date.now() - 60 * 60_000;
    for (let i = 0; i < 200; i++) {
      const kind = i % 4;
      bank.lines.push({
        refCode: `R${i}`,
        amountToman: BigInt(10_000 + i),
        at: new Date(t0 + i * 15_000),
        description: 'واریز',
        depositId: kind === 0 || kind === 1 ? depositId : kind === 2 ? '99999999999' : null,
        sourceCard: kind === 3 ? `${card.slice(0, 6)}******${card.slice(-4)}` : null,
        sourceIban: null,
      });
    }
    // A debit line is never a deposit.
    bank.lines.push({
      refCode: 'D1',
      amountToman: -5000n,
      at: new Date(t0),
      description: 'برداشت',
      depositId,
      sourceCard: null,
      sourceIban: null,
    });
    const options = { overlapMs: 30 * 60_000, firstLookbackMs: 2 * 60 * 60_000 };
    // Three polls whose windows overlap (each starts 30 minutes before the last one ended).
    const first = await services.statements.poll(em(), bank, { ...options, now: new Date(t0 + 20 * 60_000) });
    const second = await services.statements.poll(em(), bank, { ...options, now: new Date(t0 + 40 * 60_000) });
    const third = await services.statements.poll(em(), bank, { ...options, now: new Date(t0 + 60 * 60_000) });
    expect(first.pages).toBeGreaterThan(1);
    expect(second.duplicates + third.duplicates).toBeGreaterThan(0);
    const rows = await em().find(BankCredit, {});
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.status === 'CREDITED' && r.userId === viewer.userId)).toHaveLength(100);
    expect(rows.filter((r) => r.status === 'CREDITED' && r.userId === carol.userId)).toHaveLength(50);
    expect(rows.filter((r) => r.status === 'UNMATCHED')).toHaveLength(50);
    const events = await em()
      .getConnection()
      .execute<{ n: string }[]>(
        `select count(*)::text as n, count(distinct envelope->'payload'->>'reference')::text as d from payment.outbox where subject = 'payment.deposit.received' and envelope->'payload'->>'reference' like 'bank:%'`,
      );
    expect(events[0]).toMatchObject({ n: '150', d: '150' });

    const staff: Viewer = { userId: newId('usr'), roles: ['FINANCE'], claims: ['ledger:adjust'], sessionId: null };
    const parked = await services.statements.unmatched(em(), staff, 10, null);
    expect(parked.nodes).toHaveLength(10);
    expect(await code(services.statements.unmatched(em(), viewer, 10, null))).toBe('FORBIDDEN');
    const target = parked.nodes[0]!;
    expect(await code(services.statements.assign(em(), staff, target.id, staff.userId!))).toBe('FORBIDDEN');
    const assigned = await services.statements.assign(em(), staff, target.id, viewer.userId!);
    expect(assigned).toMatchObject({ status: 'ASSIGNED', userId: viewer.userId, assignedBy: staff.userId });
    expect(await code(services.statements.assign(em(), staff, target.id, viewer.userId!))).toBe(
      'CONFLICT:ALREADY_CREDITED',
    );
    expect(await credits(`bank:${target.refCode}`)).toBe(1);
  });
});

describe('Toman withdrawals (payout step)', () => {
  async function approvedWithdrawal(amount = '100000'): Promise<FiatWithdrawal> {
    const viewer = user();
    await withKyc(viewer);
    const accountIban = freshIban();
    bank.ibans.set(accountIban, {
      iban: accountIban,
      bankName: null,
      owners: [{ firstName: 'علی', lastName: 'رضایی' }],
      accountStatus: 'active',
    });
    const account = await services.instruments.addAccount(em(), viewer, accountIban);
    const w = await services.withdrawals.request(em(), viewer, {
      amountToman: amount,
      bankAccountId: account.id,
      idempotencyKey: newId('key'),
    });
    expect(w.status).toBe('REQUESTED'); // no ledger here: the hold answer is given below
    const placed = makeEvent('ledger.hold.placed', 'ledger', { reference: `fiat-withdrawal:${w.id}`, holdId: 'h' });
    await em().transactional((tx) => services.withdrawals.applyHoldAnswer(tx, placed, env.log));
    return em().findOneOrFail(FiatWithdrawal, { id: w.id });
  }

  it('stores the trackId before the transfer; a crash before recording is resolved by inquiry, one transfer', async () => {
    const w = await approvedWithdrawal();
    expect(w.status).toBe('APPROVED');
    const before = bank.transferCalls;
    bank.transferMode = 'DONE';
    await expect(
      services.withdrawals.payoutStep(em(), bank, w.id, () => Promise.reject(new Error('killed'))),
    ).rejects.toThrow('killed');
    const sending = await em().findOneOrFail(FiatWithdrawal, { id: w.id });
    expect(sending.status).toBe('SENDING');
    expect(bank.transfers.has(sending.trackId!)).toBe(true);
    await em().nativeUpdate(FiatWithdrawal, { id: w.id }, { updatedAt: new Date(Date.now() - 120_000) });
    expect(await services.withdrawals.payoutWork(em(), 60, 100)).toContain(w.id);
    expect(await services.withdrawals.payoutStep(em(), bank, w.id)).toBe('DONE');
    expect(await services.withdrawals.payoutStep(em(), bank, w.id)).toBe('DONE');
    expect(bank.transferCalls - before).toBe(1);
  });

  it('408 then inquiry → DONE; FAILED → failed event (the ledger releases the hold)', async () => {
    const w = await approvedWithdrawal();
    bank.transferMode = 'TIMEOUT';
    bank.settleTo = 'DONE';
    expect(await services.withdrawals.payoutStep(em(), bank, w.id)).toBe('SENDING');
    expect(await services.withdrawals.payoutStep(em(), bank, w.id)).toBe('DONE');
    const failed = await approvedWithdrawal();
    bank.transferMode = 'FAILED';
    expect(await services.withdrawals.payoutStep(em(), bank, failed.id)).toBe('FAILED');
    const events = await em()
      .getConnection()
      .execute<{ type: string }[]>(
        `select subject as type from payment.outbox where envelope->'payload'->>'withdrawalId' = ? and subject in ('payment.withdrawal.completed', 'payment.withdrawal.failed')`,
        [failed.id],
      );
    expect(events.map((e) => e.type)).toEqual(['payment.withdrawal.failed']);
    bank.transferMode = 'DONE';
    bank.settleTo = null;
  });

  it('a rejected hold is the mutation’s own error; above the threshold a second person approves', async () => {
    const viewer = user();
    await withKyc(viewer);
    const accountIban = freshIban();
    bank.ibans.set(accountIban, {
      iban: accountIban,
      bankName: null,
      owners: [{ firstName: 'علی', lastName: 'رضایی' }],
      accountStatus: 'active',
    });
    const account = await services.instruments.addAccount(em(), viewer, accountIban);
    const input = { amountToman: '60000000', bankAccountId: account.id, idempotencyKey: 'big' };
    expect(await code(services.withdrawals.request(em(), viewer, input))).toBe('BAD_USER_INPUT');
    const small = await services.withdrawals.request(em(), viewer, {
      ...input,
      amountToman: '10000000',
      idempotencyKey: 's',
    });
    expect(small.needsApproval).toBe(false); // the threshold (10,000,000) itself needs no approval
    const big = await services.withdrawals.request(em(), viewer, { ...input, amountToman: '20000000' });
    expect(big.needsApproval).toBe(true);
    const placed = makeEvent('ledger.hold.placed', 'ledger', { reference: `fiat-withdrawal:${big.id}`, holdId: 'h' });
    await em().transactional((tx) => services.withdrawals.applyHoldAnswer(tx, placed, env.log));
    expect((await em().findOneOrFail(FiatWithdrawal, { id: big.id })).status).toBe('PENDING_APPROVAL');
    const approver: Viewer = {
      userId: newId('usr'),
      roles: ['FINANCE'],
      claims: ['withdrawals:approve'],
      sessionId: null,
    };
    const selfApprover: Viewer = { ...viewer, roles: ['FINANCE'], claims: ['withdrawals:approve'] };
    expect(await code(services.withdrawals.approve(em(), selfApprover, big.id))).toBe('FORBIDDEN');
    expect(await code(services.withdrawals.approve(em(), { ...approver, claims: [] }, big.id))).toBe('FORBIDDEN');
    expect(await services.withdrawals.approve(em(), approver, big.id)).toMatchObject({
      status: 'APPROVED',
      approverId: approver.userId,
    });
    expect(await code(services.withdrawals.approve(em(), approver, big.id))).toBe('CONFLICT:NOT_PENDING_APPROVAL');
    const w = await services.withdrawals.request(em(), viewer, { ...input, amountToman: '40000', idempotencyKey: 'r' });
    const rejected = makeEvent('ledger.hold.rejected', 'ledger', {
      reference: `fiat-withdrawal:${w.id}`,
      code: 'INSUFFICIENT_FUNDS',
      available: '0',
      required: '40000',
    });
    await em().transactional((tx) => services.withdrawals.applyHoldAnswer(tx, rejected, env.log));
    expect(
      await code(services.withdrawals.request(em(), viewer, { ...input, amountToman: '40000', idempotencyKey: 'r' })),
    ).toBe('INSUFFICIENT_FUNDS');
  });
});

let ibanSerial = 1000;
function freshIban(): string {
  const bban = `0540102680020817${String(ibanSerial++).padStart(6, '0')}`;
  const numeric = `${bban}1827`; // "IR" = 18 27
  let rem = 0;
  for (const ch of `${numeric}00`) rem = (rem * 10 + Number(ch)) % 97;
  const check = String(98 - rem).padStart(2, '0');
  return `IR${check}${bban}`;
}
