import { applyOnce } from '../../../platform/bus/inbox.js';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import type { UserService } from '../user/user.service.js';
import type { KycTier } from '../user/user.entity.js';

/**
 * Level facts arrive as events from the subgraphs that own them:
 * - `kyc.submission.approved` { userId, tier: 'BASIC' | 'FULL' }
 * - `ledger.order.filled` { userId, volumeToman: "<integer string>" }
 * Each is applied once (inbox) and may move the user's level.
 */
export const LEVEL_FACT_SUBJECTS = ['kyc.submission.approved', 'ledger.order.filled'];

export async function startLevelFactsConsumer(deps: SubgraphDeps, users: UserService) {
  return runSubgraphConsumer(deps, {
    durable: 'identity-level-facts',
    subjects: LEVEL_FACT_SUBJECTS,
    log: deps.log.child({ consumer: 'identity-level-facts' }),
    handle: (event: EventEnvelope) =>
      applyOnce(deps.orm.em, 'identity-level-facts', event, async (tx) => {
        const payload = event.payload as { userId?: unknown; tier?: unknown; volumeToman?: unknown };
        if (typeof payload.userId !== 'string') return;
        if (event.type === 'kyc.submission.approved' && (payload.tier === 'BASIC' || payload.tier === 'FULL')) {
          await users.applyLevelFacts(tx, payload.userId, { kycTier: payload.tier as KycTier });
        } else if (
          event.type === 'ledger.order.filled' &&
          typeof payload.volumeToman === 'string' &&
          /^\d+$/.test(payload.volumeToman)
        ) {
          await users.applyLevelFacts(tx, payload.userId, { tradeVolumeDeltaToman: BigInt(payload.volumeToman) });
        }
      }).then(() => undefined),
  });
}
