import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import type { Logger } from '../../../platform/logger.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { runSubgraphConsumer, type SubgraphDeps } from '../../../platform/service/subgraph.js';
import type { LedgerServices } from '../context.js';
import { accounts } from '../core/accounts.js';
import { draft, LedgerEvents } from '../core/ledger.types.js';
import type { OutboxWaker } from '../core/outbox-waker.js';
import { NotYetApplicable } from './postings.consumer.js';

/**
 * The voucher subgraph's money events (contracts in subgraphs/voucher/voucher/voucher.events.ts), applied once
 * per event id (inbox) in their own durable consumer, apart from the chain postings:
 * - purchase.requested: hold the price (available → held, kind BUY, reference `voucher:<purchaseId>`), answered
 *   by `ledger.hold.placed` or `ledger.hold.rejected` (INSUFFICIENT_FUNDS with available/required, ACCOUNT_FROZEN);
 * - purchase.completed: capture the hold to `exchange:<asset>` (the platform's inventory paid the provider);
 * - purchase.failed: release the hold;
 * - redemption.confirmed: `exchange:<asset>` → the user's available, kind SELL, reference
 *   `voucher-redemption:<redemptionId>` (at most one such transaction).
 */
export const VoucherPostingEvents = {
  purchaseRequested: 'voucher.purchase.requested',
  purchaseCompleted: 'voucher.purchase.completed',
  purchaseFailed: 'voucher.purchase.failed',
  redemptionConfirmed: 'voucher.redemption.confirmed',
} as const;
export const VOUCHER_POSTINGS_CONSUMER = 'ledger-voucher-postings';

const minor = z
  .string()
  .regex(/^\d{1,78}$/)
  .transform((v) => BigInt(v));
const id = z.string().min(1).max(100);
const asset = z.string().refine((a) => assetInfo(a) !== null, 'unknown asset');
const requested = z.object({ purchaseId: id, userId: id, asset, amount: minor });
const completed = z.object({ purchaseId: id, userId: id, asset, amount: minor });
const failed = z.object({ purchaseId: id });
const confirmed = z.object({ redemptionId: id, userId: id, asset, amount: minor });

export async function startVoucherPostingsConsumer(deps: SubgraphDeps, services: LedgerServices, waker: OutboxWaker) {
  const log = deps.log.child({ consumer: VOUCHER_POSTINGS_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: VOUCHER_POSTINGS_CONSUMER,
    subjects: Object.values(VoucherPostingEvents),
    log,
    concurrency: 8,
    handle: async (event) => {
      const applied = await applyOnce(deps.orm.em, VOUCHER_POSTINGS_CONSUMER, event, (tx) =>
        applyVoucherEvent(tx, services, event, log),
      );
      if (applied) waker.poke();
    },
  });
}

export async function applyVoucherEvent(
  tx: EntityManager,
  services: LedgerServices,
  event: EventEnvelope,
  log: Logger,
): Promise<void> {
  const actor = `system:${event.source}:${event.type}`;
  const parse = <S extends z.ZodTypeAny>(schema: S): z.output<S> | null => {
    const result = schema.safeParse(event.payload);
    if (result.success) return result.data as z.output<S>;
    const reason = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    log.error({ eventId: event.id, type: event.type, reason }, 'voucher money event refused: nothing posted');
    recordEvent(tx, LedgerEvents.postingRejected, 'ledger', { eventId: event.id, type: event.type, reason });
    return null;
  };
  switch (event.type) {
    case VoucherPostingEvents.purchaseRequested: {
      const p = parse(requested);
      if (!p) return;
      const reference = `voucher:${p.purchaseId}`;
      await tx
        .getConnection()
        .execute('select pg_advisory_xact_lock(hashtext(?))', [reference], 'all', tx.getTransactionContext());
      if (await services.holds.byReference(tx, reference)) return;
      const restriction = await services.debts.restriction(tx, p.userId);
      if (restriction) {
        recordEvent(tx, LedgerEvents.holdRejected, 'ledger', {
          reference,
          userId: p.userId,
          asset: p.asset,
          code: 'ACCOUNT_FROZEN',
          reason: restriction,
        });
        return;
      }
      const { result, hold } = await services.holds.place(tx, {
        userId: p.userId,
        asset: p.asset,
        amount: p.amount,
        kind: 'BUY',
        reference,
        expiresAt: null,
        actor,
      });
      if (hold)
        recordEvent(tx, LedgerEvents.holdPlaced, 'ledger', {
          holdId: hold.id,
          reference,
          userId: p.userId,
          asset: p.asset,
          amount: p.amount.toString(),
        });
      else
        recordEvent(tx, LedgerEvents.holdRejected, 'ledger', {
          reference,
          userId: p.userId,
          asset: p.asset,
          code: result.type === 'InsufficientFunds' ? 'INSUFFICIENT_FUNDS' : result.type,
          ...(result.type === 'InsufficientFunds'
            ? { available: result.available.toString(), required: result.required.toString() }
            : {}),
        });
      return;
    }
    case VoucherPostingEvents.purchaseCompleted:
    case VoucherPostingEvents.purchaseFailed: {
      const p = parse(event.type === VoucherPostingEvents.purchaseCompleted ? completed : failed);
      if (!p) return;
      const hold = await services.holds.byReference(tx, `voucher:${p.purchaseId}`);
      if (!hold) throw new NotYetApplicable(`no hold for voucher ${p.purchaseId} yet`);
      if (hold.status !== 'ACTIVE') return;
      if (event.type === VoucherPostingEvents.purchaseCompleted)
        await services.holds.capture(tx, hold.id, { destination: accounts.exchange(hold.asset), actor });
      else await services.holds.release(tx, hold.id, actor);
      return;
    }
    case VoucherPostingEvents.redemptionConfirmed: {
      const r = parse(confirmed);
      if (!r) return;
      const reference = `voucher-redemption:${r.redemptionId}`;
      // Two events for one redemption applied at once: the second waits here, then finds the first's credit.
      await tx
        .getConnection()
        .execute('select pg_advisory_xact_lock(hashtext(?))', [reference], 'all', tx.getTransactionContext());
      const existing = await tx
        .getConnection()
        .execute<{ id: string }[]>(
          `select id from ledger.transaction where reference = ? limit 1`,
          [reference],
          'all',
          tx.getTransactionContext(),
        );
      if (existing.length > 0) return;
      const result = await services.ledger.commitWithin(
        tx,
        draft({
          kind: 'SELL',
          asset: r.asset,
          amount: r.amount,
          userId: r.userId,
          reference,
          actor,
          postings: [
            {
              source: accounts.exchange(r.asset),
              destination: accounts.available(r.userId, r.asset),
              asset: r.asset,
              amount: r.amount,
            },
          ],
        }),
      );
      if (result.type !== 'Transaction') throw new Error(`voucher credit ${reference} refused: ${result.type}`);
      return;
    }
    default:
      log.error({ eventId: event.id, type: event.type }, 'the ledger does not post this voucher event');
  }
}
