import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import type { FieldSealer } from '../../../platform/crypto/sealed-field.js';
import type { Logger } from '../../../platform/logger.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';

export const PHONE_VERIFIED = 'kyc.phone.verified';
export const VERIFIED_PHONES_CONSUMER = 'wallet-verified-phones';

const verified = z.object({
  userId: z.string().min(1).max(100),
  phone: z.string().regex(/^\+989\d{9}$/u),
});

const binding = (userId: string) => `wallet.verified_phone:${userId}:phone`;

/**
 * The users' verified phone numbers, learnt from kyc's `kyc.phone.verified` and kept sealed (FieldSealer under
 * WALLET_DATA_KEYS, bound to the user's row): withdrawal-address codes go to them. The newest verification wins; an
 * older event arriving late changes nothing. Numbers are never logged.
 */
export class VerifiedPhones {
  constructor(private readonly sealer: FieldSealer) {}

  /** The user's verified number (E.164), or null if kyc never announced one. */
  async phoneOf(em: EntityManager, userId: string): Promise<string | null> {
    const rows = await em.execute<{ phone_enc: string }[]>(
      'select phone_enc from wallet.verified_phone where user_id = ?',
      [userId],
    );
    return rows[0] ? this.sealer.open(binding(userId), rows[0].phone_enc) : null;
  }

  async apply(tx: EntityManager, event: EventEnvelope, log: Logger): Promise<void> {
    const p = verified.safeParse(event.payload);
    if (!p.success) {
      log.error(
        { eventId: event.id, issues: p.error.issues.map((i) => i.path.join('.')) },
        'phone verification without a usable number ignored',
      );
      return;
    }
    const { userId, phone } = p.data;
    await tx.getConnection().execute(
      `insert into wallet.verified_phone (user_id, phone_enc, verified_at) values (?, ?, ?)
       on conflict (user_id) do update set phone_enc = excluded.phone_enc, verified_at = excluded.verified_at,
         updated_at = now()
       where wallet.verified_phone.verified_at <= excluded.verified_at`,
      [userId, this.sealer.seal(binding(userId), phone), new Date(event.occurredAt)],
      'run',
      tx.getTransactionContext(),
    );
    log.info({ userId, eventId: event.id }, 'verified phone stored');
  }
}

/** Durable `wallet-verified-phones` on `kyc.phone.verified`, once per event (inbox). */
export async function startVerifiedPhoneConsumer(deps: SubgraphDeps, phones: VerifiedPhones) {
  const log = deps.log.child({ consumer: VERIFIED_PHONES_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: VERIFIED_PHONES_CONSUMER,
    subjects: [PHONE_VERIFIED],
    log,
    handle: async (event) => {
      await applyOnce(deps.orm.em, VERIFIED_PHONES_CONSUMER, event, (tx) => phones.apply(tx, event, log));
    },
  });
}
