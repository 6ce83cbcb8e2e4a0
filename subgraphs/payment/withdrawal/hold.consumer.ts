import { applyOnce } from '../../../platform/bus/inbox.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import type { WithdrawalService } from './withdrawal.service.js';

/** The ledger's answers to holds: `{ reference, … }`; ours are `fiat-withdrawal:<id>`, the rest are skipped. */
export const HOLD_SUBJECTS = ['ledger.hold.placed', 'ledger.hold.rejected'];
export const HOLDS_CONSUMER = 'payment-withdrawal-holds';

export async function startHoldConsumer(deps: SubgraphDeps, withdrawals: WithdrawalService) {
  const log = deps.log.child({ consumer: HOLDS_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: HOLDS_CONSUMER,
    subjects: HOLD_SUBJECTS,
    log,
    concurrency: 8,
    handle: async (event) => {
      await applyOnce(deps.orm.em, HOLDS_CONSUMER, event, (tx) => withdrawals.applyHoldAnswer(tx, event, log));
    },
  });
}
