import { z } from 'zod';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import type { Logger } from '../../../platform/logger.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import type { OutboxWaker } from '../core/outbox-waker.js';
import type { RecoveryMove, RecoveryService } from './recovery.service.js';

/** identity.user.recovered { recoveryId, userId, retiredUserId }: identity moved a Telegram id back to userId. */
export const ACCOUNT_RECOVERED = 'identity.user.recovered';
export const RECOVERY_CONSUMER = 'ledger-account-recovery';

const id = z.string().min(1).max(100);
const recovered = z.object({ recoveryId: id, userId: id, retiredUserId: id });

export async function startAccountRecoveryConsumer(deps: SubgraphDeps, recovery: RecoveryService, waker: OutboxWaker) {
  const log = deps.log.child({ consumer: RECOVERY_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: RECOVERY_CONSUMER,
    subjects: [ACCOUNT_RECOVERED],
    log,
    handle: async (event) => {
      const moves = await applyRecoveredEvent(deps, recovery, event, log);
      if (moves?.some((m) => m.outcome === 'MOVED')) waker.poke();
    },
  });
}

/** Applies one identity.user.recovered once (inbox); null when it was already applied or is malformed. */
export async function applyRecoveredEvent(
  deps: Pick<SubgraphDeps, 'orm'>,
  recovery: RecoveryService,
  event: EventEnvelope,
  log: Logger,
): Promise<RecoveryMove[] | null> {
  const p = recovered.safeParse(event.payload);
  if (!p.success) {
    log.error({ eventId: event.id, issues: p.error.issues }, 'malformed account recovery event ignored');
    return null;
  }
  let moves: RecoveryMove[] | null = null;
  await applyOnce(deps.orm.em, RECOVERY_CONSUMER, event, async (tx) => {
    moves = await recovery.moveBalances(tx, { eventId: event.id, ...p.data }, log);
  });
  return moves;
}
