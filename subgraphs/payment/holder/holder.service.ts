import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import type { Logger } from '../../../platform/logger.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import { KycHolder } from './holder.entity.js';
import type { SealedData } from './sealed-data.js';

export const KYC_APPROVED = 'kyc.submission.approved';
export const HOLDERS_CONSUMER = 'payment-kyc-holders';

const id = z.string().min(1).max(100);
const approved = z.object({
  submissionId: id,
  userId: id,
  holderName: z.object({ firstName: z.string().min(1).max(100), lastName: z.string().min(1).max(100) }),
});

/** The KYC names of users, learnt from kyc's approvals and kept sealed. */
export class HolderService {
  constructor(private readonly sealed: SealedData) {}

  /** The user's approved "first last", or null before any approval. */
  async nameOf(em: EntityManager, userId: string): Promise<string | null> {
    const row = await em.findOne(KycHolder, { userId });
    return row ? this.sealed.open(`kyc_holder:${userId}`, 'name', row.nameEnc) : null;
  }

  /** Stores the approval's name (a newer approval wins; an older one arriving late changes nothing). */
  async apply(tx: EntityManager, event: EventEnvelope, log: Logger): Promise<void> {
    const p = approved.safeParse(event.payload);
    if (!p.success) {
      log.error(
        { eventId: event.id, issues: p.error.issues.map((i) => i.path.join('.')) },
        'approval without a holder name ignored',
      );
      return;
    }
    const { userId, submissionId, holderName } = p.data;
    const name = `${holderName.firstName.trim()} ${holderName.lastName.trim()}`;
    const nameEnc = this.sealed.seal(`kyc_holder:${userId}`, 'name', name);
    const at = new Date(event.occurredAt);
    await tx.getConnection().execute(
      `insert into payment.kyc_holder (user_id, name_enc, submission_id, approved_at, updated_at) values (?, ?, ?, ?, now())
       on conflict (user_id) do update set name_enc = excluded.name_enc, submission_id = excluded.submission_id,
         approved_at = excluded.approved_at, updated_at = now()
       where payment.kyc_holder.approved_at <= excluded.approved_at`,
      [userId, nameEnc, submissionId, at],
      'run',
      tx.getTransactionContext(),
    );
    log.info({ userId, submissionId }, 'kyc holder name stored');
  }
}

export async function startHolderConsumer(deps: SubgraphDeps, holders: HolderService) {
  const log = deps.log.child({ consumer: HOLDERS_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: HOLDERS_CONSUMER,
    subjects: [KYC_APPROVED],
    log,
    handle: async (event) => {
      await applyOnce(deps.orm.em, HOLDERS_CONSUMER, event, (tx) => holders.apply(tx, event, log));
    },
  });
}
