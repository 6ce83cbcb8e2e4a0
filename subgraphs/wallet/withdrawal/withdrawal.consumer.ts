import { z } from 'zod';
import { applyOnce } from '../../../platform/bus/inbox.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import { LedgerHoldEvents } from './withdrawal.events.js';
import { transition, withdrawalById } from './withdrawal.store.js';

export const WITHDRAWAL_HOLDS_CONSUMER = 'wallet-withdrawal-holds';
export const WITHDRAWAL_HOLD_SUBJECTS = [LedgerHoldEvents.placed, LedgerHoldEvents.rejected, LedgerHoldEvents.settled];

const REFERENCE = /^withdrawal:(wdr_[0-9a-z]{1,40})$/;
const placed = z.object({ reference: z.string().nullable(), transactionId: z.string().nullable().optional() });
const rejected = z
  .object({ reference: z.string(), code: z.string().min(1).max(64), reason: z.string().optional() })
  .passthrough();
const settled = z.object({ withdrawalId: z.string(), transactionId: z.string() });

const MESSAGES: Record<string, string> = {
  INSUFFICIENT_FUNDS: 'Your available balance does not cover the amount plus the network fee',
  LIMIT_EXCEEDED: 'The withdrawal is over a limit of your level',
  ACCOUNT_FROZEN: 'Outgoing money is frozen on your account; contact support',
  PRICE_UNAVAILABLE: 'No fresh market price to check the withdrawal against your limits; try again shortly',
};

/**
 * The ledger's answer to `wallet.withdrawal.requested`: `ledger.hold.placed` (amount + fee held) moves the
 * withdrawal to PENDING_APPROVAL or APPROVED; `ledger.hold.rejected` (INSUFFICIENT_FUNDS, LIMIT_EXCEEDED,
 * ACCOUNT_FROZEN, PRICE_UNAVAILABLE) to REJECTED with the ledger's code and facts; `ledger.withdrawal.settled`
 * (an internal transfer, posted user to user) to COMPLETED. Holds of other kinds (orders) are ignored. Once per
 * event (inbox); a repeat or an answer about a withdrawal that already moved changes nothing (compare-and-set).
 */
export async function startWithdrawalHoldConsumer(deps: SubgraphDeps): Promise<{ stop(): Promise<void> }> {
  const log = deps.log.child({ consumer: WITHDRAWAL_HOLDS_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: WITHDRAWAL_HOLDS_CONSUMER,
    subjects: WITHDRAWAL_HOLD_SUBJECTS,
    log,
    concurrency: 16,
    handle: async (event) => {
      const actor = `system:ledger:${event.type}`;
      if (event.type === LedgerHoldEvents.settled) {
        const s = settled.safeParse(event.payload);
        if (!s.success) return void log.error({ eventId: event.id }, 'unreadable ledger.withdrawal.settled: skipped');
        await applyOnce(deps.orm.em, WITHDRAWAL_HOLDS_CONSUMER, event, async (tx) => {
          await transition(tx, s.data.withdrawalId, ['REQUESTED'], 'COMPLETED', actor, {
            ledgerTransactionId: s.data.transactionId,
          });
        });
        return;
      }
      const reference = (event.payload as { reference?: unknown }).reference;
      const match = typeof reference === 'string' ? REFERENCE.exec(reference) : null;
      if (!match) return; // another kind of hold
      const withdrawalId = match[1]!;
      await applyOnce(deps.orm.em, WITHDRAWAL_HOLDS_CONSUMER, event, async (tx) => {
        if (event.type === LedgerHoldEvents.placed) {
          const p = placed.parse(event.payload);
          const w = await withdrawalById(tx, withdrawalId);
          if (!w) return void log.error({ withdrawalId }, 'hold placed for an unknown withdrawal');
          await transition(tx, withdrawalId, ['REQUESTED'], w.needsApproval ? 'PENDING_APPROVAL' : 'APPROVED', actor, {
            ledgerTransactionId: p.transactionId ?? undefined,
          });
          return;
        }
        const r = rejected.parse(event.payload);
        const {
          reference: _ref,
          code,
          reason,
          userId: _u,
          asset: _a,
          ...facts
        } = r as Record<string, unknown> & {
          code: string;
          reason?: string;
        };
        await transition(
          tx,
          withdrawalId,
          ['REQUESTED'],
          'REJECTED',
          actor,
          { rejectCode: code, rejectReason: MESSAGES[code] ?? reason ?? 'Refused by the ledger', rejectDetail: facts },
          { code, ...facts },
        );
      });
    },
  });
}
