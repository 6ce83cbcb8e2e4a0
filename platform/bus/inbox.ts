import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from './envelope.js';

/**
 * Applies an event at most once per consumer: the inbox row and the effect commit together, so a
 * redelivered event (JetStream at-least-once) finds its row and does nothing. Returns false on a repeat.
 */
export async function applyOnce(
  em: EntityManager,
  consumer: string,
  event: Pick<EventEnvelope, 'id'>,
  effect: (tx: EntityManager) => Promise<void>,
): Promise<boolean> {
  const schema = em.config.get('schema');
  return em.fork().transactional(async (tx) => {
    const rows = await tx
      .getConnection()
      .execute<{ event_id: string }[]>(
        `insert into "${schema}"."inbox" ("event_id", "consumer", "processed_at") values (?, ?, now()) on conflict do nothing returning "event_id"`,
        [event.id, consumer],
        'all',
        tx.getTransactionContext(),
      );
    if (rows.length === 0) return false;
    await effect(tx);
    return true;
  });
}
