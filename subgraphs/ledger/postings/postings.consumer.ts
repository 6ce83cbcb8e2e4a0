import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { DomainError, ErrorCode } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import { LedgerEvents } from '../core/ledger.types.js';
import type { OutboxWaker } from '../core/outbox-waker.js';
import type { LedgerResult } from '../core/ledger.js';
import type { PostingsService } from './postings.service.js';

/**
 * Events other subgraphs publish that move money in the ledger (contracts in the ledger README). Each is
 * applied at most once per event id: the inbox row and the postings commit in one transaction.
 */
export const PostingEvents = {
  depositConfirmed: 'wallet.deposit.confirmed',
  depositReorged: 'wallet.deposit.reorged',
  withdrawalRequested: 'wallet.withdrawal.requested',
  withdrawalCompleted: 'wallet.withdrawal.completed',
  withdrawalFailed: 'wallet.withdrawal.failed',
  treasuryMoveConfirmed: 'wallet.sweep.confirmed',
} as const;

export const POSTING_SUBJECTS = Object.values(PostingEvents);
export const POSTINGS_CONSUMER = 'ledger-postings';

/** The payment subgraph's Toman events (its own durable: `payment.*` is published only by outbox-payment). */
export const PaymentPostingEvents = {
  depositReceived: 'payment.deposit.received',
  withdrawalRequested: 'payment.withdrawal.requested',
  withdrawalCompleted: 'payment.withdrawal.completed',
  withdrawalFailed: 'payment.withdrawal.failed',
} as const;
export const PAYMENT_POSTING_SUBJECTS = Object.values(PaymentPostingEvents);
export const PAYMENT_POSTINGS_CONSUMER = 'ledger-payment-postings';

const minor = z
  .string()
  .regex(/^\d{1,78}$/, 'an integer amount in minor units')
  .transform((v) => BigInt(v));
const network = z.enum(['TON', 'TRON', 'ETH', 'BSC']);
const id = z.string().min(1).max(100);

const depositConfirmed = z.object({
  depositId: id,
  userId: id,
  network,
  asset: z.string(),
  amount: minor,
  txHash: z.string().min(1).max(200),
  outputIndex: z.number().int().min(0),
});
const depositReorged = depositConfirmed.extend({ confirmEventId: z.string().nullable().default(null) });
const withdrawalRequested = z.object({
  withdrawalId: id,
  userId: id,
  network,
  asset: z.string(),
  amount: minor,
  fee: minor.default('0'),
  expiresAt: z
    .string()
    .datetime()
    .nullable()
    .default(null)
    .transform((v) => (v ? new Date(v) : null)),
  recipientUserId: id.nullable().default(null),
});
const withdrawalCompleted = z.object({
  withdrawalId: id,
  network,
  asset: z.string(),
  amount: minor,
  fee: minor.default('0'),
  networkFee: z.object({ asset: z.string(), amount: minor }).nullable().default(null),
});
const withdrawalFailed = z.object({ withdrawalId: id });
/** A confirmed sweep, gas top-up or cold move: only its gas is posted (the coins stayed in custody). */
const treasuryMoveConfirmed = z.object({
  moveId: id,
  network,
  feeAsset: z.string().nullable().default(null),
  fee: minor.nullable().default(null),
});
const fiatDeposit = z.object({
  reference: z.string().regex(/^(paystar|bank):[A-Za-z0-9_.:-]{1,120}$/, 'paystar:<id> or bank:<refCode>'),
  userId: id,
  amount: minor,
});
const fiatWithdrawalRequested = z.object({ withdrawalId: id, userId: id, amount: minor });
const fiatWithdrawalCompleted = z.object({ withdrawalId: id });

/** Thrown when an event arrives before the one it depends on (e.g. completed before requested): redelivered later. */
export class NotYetApplicable extends Error {}

export async function startPostingsConsumer(deps: SubgraphDeps, postings: PostingsService, waker: OutboxWaker) {
  const log = deps.log.child({ consumer: POSTINGS_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: POSTINGS_CONSUMER,
    subjects: POSTING_SUBJECTS,
    log,
    // Events of one subject are independent (each its own inbox row and reference; balance rows are locked),
    // so up to 16 are applied in parallel, each in its own inbox transaction; the system side of each posting
    // lands on a random stripe, so parallel credits of one asset do not queue on one custody row.
    concurrency: 16,
    handle: async (event) => {
      const applied = await applyOnce(deps.orm.em, POSTINGS_CONSUMER, event, (tx) =>
        applyPostingEvent(tx, postings, event, log),
      );
      if (applied) waker.poke();
    },
  });
}

/** The payment subgraph's money events, applied like the wallet's (same effects' vocabulary, own durable). */
export async function startPaymentPostingsConsumer(deps: SubgraphDeps, postings: PostingsService, waker: OutboxWaker) {
  const log = deps.log.child({ consumer: PAYMENT_POSTINGS_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: PAYMENT_POSTINGS_CONSUMER,
    subjects: PAYMENT_POSTING_SUBJECTS,
    log,
    concurrency: 16,
    handle: async (event) => {
      const applied = await applyOnce(deps.orm.em, PAYMENT_POSTINGS_CONSUMER, event, (tx) =>
        applyPostingEvent(tx, postings, event, log),
      );
      if (applied) waker.poke();
    },
  });
}

async function inboxHas(tx: EntityManager, eventId: string): Promise<boolean> {
  const rows = await tx
    .getConnection()
    .execute(
      'select 1 from ledger.inbox where event_id = ? and consumer = ?',
      [eventId, POSTINGS_CONSUMER],
      'all',
      tx.getTransactionContext(),
    );
  return rows.length > 0;
}

/** The effect of one event, inside the consumer's inbox transaction. */
export async function applyPostingEvent(
  tx: EntityManager,
  postings: PostingsService,
  event: EventEnvelope,
  log: Logger,
): Promise<void> {
  const actor = `system:${event.source}:${event.type}`;
  const reject = (reason: string) => {
    log.error({ eventId: event.id, type: event.type, reason }, 'money event refused: nothing posted');
    recordEvent(tx, LedgerEvents.postingRejected, 'ledger', { eventId: event.id, type: event.type, reason });
  };
  try {
    switch (event.type) {
      case PostingEvents.depositConfirmed: {
        const d = depositConfirmed.parse(event.payload);
        await postings.creditDeposit(tx, d, actor);
        return;
      }
      case PostingEvents.depositReorged: {
        const r = depositReorged.parse(event.payload);
        const reference = `deposit:${r.network}:${r.txHash}:${r.outputIndex}`;
        const result = await postings.reverseDeposit(tx, reference, actor);
        if (result === 'not-credited') {
          // Never requested, or requested and refused: nothing to undo. Requested but not applied yet: wait for it.
          if (r.confirmEventId && !(await inboxHas(tx, r.confirmEventId)))
            throw new NotYetApplicable(`credit ${r.confirmEventId} of ${reference} not applied yet`);
          return;
        }
        if (result.result.type !== 'Transaction')
          throw new Error(`reversal of ${reference} refused: ${result.result.type}`);
        if (result.shortfall > 0n && !result.result.replayed) {
          log.error(
            {
              eventId: event.id,
              reference,
              userId: r.userId,
              asset: r.asset,
              owed: result.shortfall.toString(),
              transactionId: result.result.transaction.id,
            },
            "ADMIN ALERT: a reorged deposit was already spent: reversed, the shortfall is the user's debt",
          );
          recordEvent(tx, LedgerEvents.debtRecorded, 'ledger', {
            userId: r.userId,
            asset: r.asset,
            amount: result.shortfall.toString(),
            reference,
            transactionId: result.result.transaction.id,
          });
        }
        return;
      }
      case PostingEvents.withdrawalRequested: {
        const w = withdrawalRequested.parse(event.payload);
        const reference = `withdrawal:${w.withdrawalId}`;
        const refuse = (code: string, facts: Record<string, unknown>) =>
          recordEvent(tx, LedgerEvents.holdRejected, 'ledger', {
            reference,
            userId: w.userId,
            asset: w.asset,
            code,
            ...facts,
          });
        try {
          if (w.recipientUserId) {
            const moved = await postings.transferWithdrawal(tx, { ...w, recipientUserId: w.recipientUserId }, actor);
            if ('restriction' in moved) return void refuse('ACCOUNT_FROZEN', { reason: moved.restriction });
            if (moved.result.type === 'Transaction') {
              recordEvent(tx, LedgerEvents.withdrawalSettled, 'ledger', {
                withdrawalId: w.withdrawalId,
                reference,
                transactionId: moved.result.transaction.id,
              });
              return;
            }
            return void refuse(...refusalOf(moved.result));
          }
          const held = await postings.holdWithdrawal(tx, w, actor);
          if ('restriction' in held) return void refuse('ACCOUNT_FROZEN', { reason: held.restriction });
          const { result, hold } = held;
          if (hold) {
            recordEvent(tx, LedgerEvents.holdPlaced, 'ledger', {
              holdId: hold.id,
              reference: hold.reference,
              userId: hold.userId,
              asset: hold.asset,
              amount: hold.amount.toString(),
              transactionId: result.type === 'Transaction' ? result.transaction.id : null,
            });
          } else if (result.type !== 'Transaction') {
            refuse(...refusalOf(result));
          }
        } catch (err) {
          // No fresh price to value it against the level limits: refused now rather than redelivered for ever.
          if (err instanceof DomainError && err.code === ErrorCode.PRICE_UNAVAILABLE)
            return void refuse(ErrorCode.PRICE_UNAVAILABLE, { reason: err.message });
          throw err;
        }
        return;
      }
      case PostingEvents.withdrawalCompleted: {
        const s = withdrawalCompleted.parse(event.payload);
        if (!(await postings.completeWithdrawal(tx, s, actor)))
          throw new NotYetApplicable(`no hold for withdrawal ${s.withdrawalId} yet`);
        return;
      }
      case PostingEvents.withdrawalFailed: {
        const f = withdrawalFailed.parse(event.payload);
        if (!(await postings.failWithdrawal(tx, f.withdrawalId, actor)))
          throw new NotYetApplicable(`no hold for withdrawal ${f.withdrawalId} yet`);
        return;
      }
      case PostingEvents.treasuryMoveConfirmed: {
        const m = treasuryMoveConfirmed.parse(event.payload);
        if (m.fee === null || m.fee === 0n) return;
        if (!m.feeAsset) return reject(`treasury move ${m.moveId} paid ${m.fee} without a feeAsset`);
        await postings.payTreasuryMoveFee(
          tx,
          { moveId: m.moveId, network: m.network, feeAsset: m.feeAsset, fee: m.fee },
          actor,
        );
        return;
      }
      case PaymentPostingEvents.depositReceived: {
        const d = fiatDeposit.parse(event.payload);
        await postings.creditFiat(tx, d, actor);
        return;
      }
      case PaymentPostingEvents.withdrawalRequested: {
        const w = fiatWithdrawalRequested.parse(event.payload);
        const reference = `fiat-withdrawal:${w.withdrawalId}`;
        let held;
        try {
          held = await postings.holdFiatWithdrawal(tx, w, actor);
        } catch (err) {
          // No fresh price to value it against the level limits: refused now (the user asks again), not redelivered forever.
          if (err instanceof DomainError && err.code === 'PRICE_UNAVAILABLE') {
            recordEvent(tx, LedgerEvents.holdRejected, 'ledger', {
              reference,
              userId: w.userId,
              asset: 'IRT',
              code: 'PRICE_UNAVAILABLE',
            });
            return;
          }
          throw err;
        }
        if ('restriction' in held) {
          recordEvent(tx, LedgerEvents.holdRejected, 'ledger', {
            reference,
            userId: w.userId,
            asset: 'IRT',
            code: 'ACCOUNT_FROZEN',
            reason: held.restriction,
          });
          return;
        }
        const { result, hold } = held;
        if (hold) {
          recordEvent(tx, LedgerEvents.holdPlaced, 'ledger', {
            holdId: hold.id,
            reference: hold.reference,
            userId: hold.userId,
            asset: hold.asset,
            amount: hold.amount.toString(),
          });
        } else if (result.type === 'InsufficientFunds') {
          recordEvent(tx, LedgerEvents.holdRejected, 'ledger', {
            reference,
            userId: w.userId,
            asset: 'IRT',
            code: 'INSUFFICIENT_FUNDS',
            available: result.available.toString(),
            required: result.required.toString(),
          });
        } else if (result.type === 'LimitExceeded') {
          recordEvent(tx, LedgerEvents.holdRejected, 'ledger', {
            reference,
            userId: w.userId,
            asset: 'IRT',
            code: 'LIMIT_EXCEEDED',
            period: result.period,
            limit: result.limit.toString(),
            remaining: result.remaining.toString(),
            currency: result.currency,
          });
        }
        return;
      }
      case PaymentPostingEvents.withdrawalCompleted: {
        const c = fiatWithdrawalCompleted.parse(event.payload);
        if (!(await postings.completeFiatWithdrawal(tx, c.withdrawalId, actor)))
          throw new NotYetApplicable(`no hold for Toman withdrawal ${c.withdrawalId} yet`);
        return;
      }
      case PaymentPostingEvents.withdrawalFailed: {
        const f = withdrawalFailed.parse(event.payload);
        if (!(await postings.failFiatWithdrawal(tx, f.withdrawalId, actor)))
          throw new NotYetApplicable(`no hold for Toman withdrawal ${f.withdrawalId} yet`);
        return;
      }
      default:
        reject(`the ledger does not post ${event.type}`);
    }
  } catch (err) {
    if (err instanceof z.ZodError) return reject(err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (err instanceof DomainError && err.code === 'BAD_USER_INPUT') return reject(err.message);
    throw err;
  }
}

/** The code and facts of a refused withdrawal posting, for `ledger.hold.rejected`. */
function refusalOf(result: Exclude<LedgerResult, { type: 'Transaction' }>): [string, Record<string, unknown>] {
  switch (result.type) {
    case 'InsufficientFunds':
      return ['INSUFFICIENT_FUNDS', { available: result.available.toString(), required: result.required.toString() }];
    case 'LimitExceeded':
      return [
        'LIMIT_EXCEEDED',
        {
          period: result.period,
          limit: result.limit.toString(),
          used: result.used.toString(),
          remaining: result.remaining.toString(),
          currency: result.currency,
          level: result.level,
        },
      ];
    case 'RecipientNotFound':
      return ['RECIPIENT_NOT_FOUND', { reason: result.message }];
  }
}
