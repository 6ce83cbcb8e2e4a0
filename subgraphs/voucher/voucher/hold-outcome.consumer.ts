import { z } from 'zod';
import { applyOnce } from '../../../platform/bus/inbox.js';
import { runSubgraphConsumer, type SubgraphDeps } from '../../../platform/service/subgraph.js';
import { HOLD_OUTCOME_SUBJECTS, HOLD_OUTCOMES_CONSUMER, HOLD_REFERENCE_PREFIX } from './voucher.events.js';
import type { VoucherService } from './voucher.service.js';

const outcome = z.object({ reference: z.string(), code: z.string().optional() }).passthrough();

/**
 * The ledger's answers to purchase holds (`ledger.hold.placed` / `ledger.hold.rejected` with reference
 * `voucher:<purchaseId>`), once per event: HOLD_REQUESTED → HELD, or FAILED with the ledger's code
 * (INSUFFICIENT_FUNDS, ACCOUNT_FROZEN). Holds of other subgraphs are ignored.
 */
export function startHoldOutcomeConsumer(deps: SubgraphDeps, vouchers: VoucherService) {
  return runSubgraphConsumer(deps, {
    durable: HOLD_OUTCOMES_CONSUMER,
    subjects: [...HOLD_OUTCOME_SUBJECTS],
    concurrency: 8,
    handle: async (event) => {
      const parsed = outcome.safeParse(event.payload);
      if (!parsed.success || !parsed.data.reference.startsWith(HOLD_REFERENCE_PREFIX)) return;
      const purchaseId = parsed.data.reference.slice(HOLD_REFERENCE_PREFIX.length);
      await applyOnce(deps.orm.em, HOLD_OUTCOMES_CONSUMER, event, (tx) =>
        vouchers.applyHoldOutcome(tx, purchaseId, event.type.endsWith('.placed'), parsed.data.code ?? null),
      );
    },
  });
}
