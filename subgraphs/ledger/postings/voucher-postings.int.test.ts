import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import { startLedgerFixture, type LedgerFixture } from '../testing/ledger-fixture.js';
import { NotYetApplicable } from './postings.consumer.js';
import { applyVoucherEvent, VOUCHER_POSTINGS_CONSUMER, VoucherPostingEvents } from './voucher-postings.consumer.js';

let fx: LedgerFixture;
beforeAll(async () => {
  fx = await startLedgerFixture();
});
afterAll(async () => {
  await fx?.close();
});

/** Applies one voucher event as the consumer does: inside its inbox transaction. */
async function apply(type: string, payload: Record<string, unknown>, event = makeEvent(type, 'voucher', payload)) {
  return applyOnce(fx.em(), VOUCHER_POSTINGS_CONSUMER, event, (tx) =>
    applyVoucherEvent(tx, fx.services, event, fx.env.log),
  );
}

async function balance(userId: string, asset: string): Promise<{ available: string; held: string }> {
  const rows = await fx.sql<{ account: string; balance: string }>(
    `select account, sum(amount)::text as balance from ledger.balance where account in (?, ?) group by account`,
    [`user:${userId}:${asset}:available`, `user:${userId}:${asset}:held`],
  );
  const of = (bucket: string) => rows.find((r) => r.account.endsWith(`:${bucket}`))?.balance ?? '0';
  return { available: of('available'), held: of('held') };
}

async function answers(
  reference: string,
): Promise<{ subject: string; envelope: { payload: Record<string, unknown> } }[]> {
  return fx.sql(
    `select subject, envelope from ledger.outbox where envelope->'payload'->>'reference' = ? order by occurred_at`,
    [reference],
  );
}

describe('voucher money events in the ledger', () => {
  it('holds a purchase once, answers hold.placed, captures it once to exchange; a second event changes nothing', async () => {
    const userId = await fx.addUser();
    await fx.deposit(userId, 'USDT_TRON', 10_000_000n);
    const request = { purchaseId: 'vch_a', userId, asset: 'USDT_TRON', amount: '2500000' };
    await apply(VoucherPostingEvents.purchaseRequested, request);
    await apply(VoucherPostingEvents.purchaseRequested, request); // another event id, same purchase
    expect(await balance(userId, 'USDT_TRON')).toEqual({ available: '7500000', held: '2500000' });
    const placed = (await answers('voucher:vch_a')).filter((a) => a.subject.includes('.hold.'));
    expect(placed.map((a) => a.subject.replace(/^.*?ledger\./, 'ledger.'))).toEqual(['ledger.hold.placed']);

    const done = makeEvent(VoucherPostingEvents.purchaseCompleted, 'voucher', request);
    await apply(done.type, request, done);
    await apply(done.type, request, done); // redelivery of the same event
    await apply(VoucherPostingEvents.purchaseCompleted, request); // a second event
    expect(await balance(userId, 'USDT_TRON')).toEqual({ available: '7500000', held: '0' });
    expect((await fx.verify()).ok).toBe(true);
  });

  it('refuses a hold beyond the balance (INSUFFICIENT_FUNDS), and releases a failed purchase', async () => {
    const userId = await fx.addUser();
    await fx.deposit(userId, 'USDT_TRON', 1_000_000n);
    await apply(VoucherPostingEvents.purchaseRequested, {
      purchaseId: 'vch_b',
      userId,
      asset: 'USDT_TRON',
      amount: '2000000',
    });
    const [rejected] = (await answers('voucher:vch_b')).filter((a) => a.subject.includes('.hold.'));
    expect(rejected?.subject).toMatch(/ledger\.hold\.rejected$/);
    expect(rejected?.envelope.payload).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      available: '1000000',
      required: '2000000',
    });

    await apply(VoucherPostingEvents.purchaseRequested, {
      purchaseId: 'vch_c',
      userId,
      asset: 'USDT_TRON',
      amount: '400000',
    });
    expect(await balance(userId, 'USDT_TRON')).toEqual({ available: '600000', held: '400000' });
    await apply(VoucherPostingEvents.purchaseFailed, { purchaseId: 'vch_c' });
    expect(await balance(userId, 'USDT_TRON')).toEqual({ available: '1000000', held: '0' });
  });

  it('waits (redelivery) for a settlement that arrives before its hold', async () => {
    await expect(apply(VoucherPostingEvents.purchaseFailed, { purchaseId: 'vch_never' })).rejects.toBeInstanceOf(
      NotYetApplicable,
    );
  });

  it('credits a confirmed redemption once, whatever the number of events', async () => {
    const userId = await fx.addUser();
    const credit = { redemptionId: 'vch_r', userId, asset: 'USDT_TRON', amount: '18000000' };
    await Promise.all([
      apply(VoucherPostingEvents.redemptionConfirmed, credit),
      apply(VoucherPostingEvents.redemptionConfirmed, credit),
    ]);
    await apply(VoucherPostingEvents.redemptionConfirmed, credit);
    expect(await balance(userId, 'USDT_TRON')).toEqual({ available: '18000000', held: '0' });
    const rows = await fx.sql<{ n: string }>(
      `select count(*)::text as n from ledger.transaction where reference = 'voucher-redemption:vch_r'`,
    );
    expect(rows[0]!.n).toBe('1');
  });
});
