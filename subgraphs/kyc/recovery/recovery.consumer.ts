import { LockMode } from '@mikro-orm/core';
import { z } from 'zod';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import type { Logger } from '../../../platform/logger.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import { AccountRecovery, AccountRecoveryAudit } from './recovery.entity.js';

/** identity.user.recovery-refused { recoveryId, oldUserId, newUserId, reason }: an approved recovery identity could not apply. */
export const RECOVERY_REFUSED = 'identity.user.recovery-refused';
export const REFUSED_CONSUMER = 'kyc-account-recovery-refused';
/** The audit actor of a FAILED row: identity refused it, no person did. */
export const IDENTITY_ACTOR = 'system:identity';

const id = z.string().min(1).max(100);
const refused = z.object({ recoveryId: id, oldUserId: id, newUserId: id, reason: z.string().min(1).max(100) });

export async function startRecoveryRefusedConsumer(deps: SubgraphDeps) {
  const log = deps.log.child({ consumer: REFUSED_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: REFUSED_CONSUMER,
    subjects: [RECOVERY_REFUSED],
    log,
    handle: async (event) => {
      await applyRefusedEvent(deps, event, log);
    },
  });
}

/**
 * Once per event (inbox), in one transaction under the request's row lock: an APPROVED recovery becomes FAILED
 * with identity's reason, and the audit trail gets a FAILED row. A request in any other state is left alone.
 */
export async function applyRefusedEvent(
  deps: Pick<SubgraphDeps, 'orm'>,
  event: EventEnvelope,
  log: Logger,
): Promise<void> {
  const p = refused.safeParse(event.payload);
  if (!p.success) {
    log.error({ eventId: event.id, issues: p.error.issues }, 'malformed recovery refusal ignored');
    return;
  }
  await applyOnce(deps.orm.em, REFUSED_CONSUMER, event, async (tx) => {
    const row = await tx.findOne(AccountRecovery, { id: p.data.recoveryId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!row || row.status !== 'APPROVED') {
      log.warn(
        { recoveryId: p.data.recoveryId, status: row?.status ?? null },
        'recovery refusal for a request not APPROVED ignored',
      );
      return;
    }
    row.status = 'FAILED';
    row.reason = p.data.reason;
    // The request row first: the audit row references it.
    await tx.flush();
    tx.create(AccountRecoveryAudit, {
      recoveryId: row.id,
      action: 'FAILED',
      actorId: IDENTITY_ACTOR,
      oldUserId: row.oldUserId,
      newUserId: row.newUserId,
      note: p.data.reason,
    });
    await tx.flush();
    log.warn({ recoveryId: row.id, reason: p.data.reason }, 'approved account recovery failed: identity refused it');
  });
}
