import type { EntityManager } from '@mikro-orm/postgresql';

/** Rows deleted per statement: short transactions, so the posting path never waits long on the sweeper. */
export const PRUNE_BATCH = 5_000;
/** How often the sweeper looks for expired keys (it goes on at once while it finds full batches). */
export const PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * Forgets idempotency records older than `retentionDays`, at most `limit` of them; returns how many went.
 * Only committed records are visible, so a key whose transaction is still in flight is never touched. After
 * pruning, the key is unknown again: a request reusing it is a new request (the retention is the documented
 * replay window, LEDGER_IDEMPOTENCY_RETENTION_DAYS).
 */
export async function pruneIdempotency(em: EntityManager, retentionDays: number, limit = PRUNE_BATCH): Promise<number> {
  const deleted = await em.getConnection().execute<{ scope: string }[]>(
    `with expired as (
       select scope, key from ledger.idempotency where created_at < now() - make_interval(days => ?) limit ?
     )
     delete from ledger.idempotency i using expired e where i.scope = e.scope and i.key = e.key returning i.scope`,
    [retentionDays, limit],
  );
  return deleted.length;
}
