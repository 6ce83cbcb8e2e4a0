import { z } from 'zod';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import type { Logger } from '../../../platform/logger.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DebtService } from './debt.service.js';

/**
 * The wallet's withdrawal freezes, copied into the ledger (one row per reorged deposit), so the ledger refuses
 * transfers out of a frozen user without reading the wallet's tables. Applied once per event id; in stream order
 * (one at a time), and a lift that overtakes its freeze after a redelivery still wins.
 */
export const FreezeEvents = {
  frozen: 'wallet.withdrawals.frozen',
  unfrozen: 'wallet.withdrawals.unfrozen',
} as const;
export const FREEZE_CONSUMER = 'ledger-withdrawal-freezes';

const id = z.string().min(1).max(100);
const frozen = z.object({
  userId: id,
  reason: z.string().max(2000).nullable().default(null),
  depositId: id.nullable().default(null),
});
const unfrozen = z.object({ userId: id, depositId: id.nullable().default(null) });

export async function startFreezeConsumer(deps: SubgraphDeps, debts: DebtService) {
  const log = deps.log.child({ consumer: FREEZE_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: FREEZE_CONSUMER,
    subjects: Object.values(FreezeEvents),
    log,
    handle: async (event) => {
      await applyOnce(deps.orm.em, FREEZE_CONSUMER, event, (tx) => applyFreezeEvent(tx, debts, event, log));
    },
  });
}

export async function applyFreezeEvent(
  tx: EntityManager,
  debts: DebtService,
  event: EventEnvelope,
  log: Logger,
): Promise<void> {
  const at = new Date(event.occurredAt);
  if (event.type === FreezeEvents.frozen) {
    const f = frozen.safeParse(event.payload);
    if (!f.success) return log.error({ eventId: event.id, issues: f.error.issues }, 'malformed freeze event ignored');
    await debts.recordFreeze(tx, {
      userId: f.data.userId,
      depositId: f.data.depositId ?? '',
      reason: f.data.reason,
      at,
    });
  } else if (event.type === FreezeEvents.unfrozen) {
    const u = unfrozen.safeParse(event.payload);
    if (!u.success) return log.error({ eventId: event.id, issues: u.error.issues }, 'malformed unfreeze event ignored');
    await debts.recordLift(tx, { userId: u.data.userId, depositId: u.data.depositId ?? '', reason: null, at });
  }
}
