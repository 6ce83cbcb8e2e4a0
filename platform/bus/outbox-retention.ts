import type pg from 'pg';
import { idFloorAt } from '../ids.js';
import { UNDEFINED_TABLE } from './relay.js';

/** Rows deleted per statement, so the sweep never holds a long transaction next to the relay. */
export const OUTBOX_PRUNE_BATCH = 5_000;
/** How often the relay looks for published rows past their retention. */
export const OUTBOX_PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * Deletes up to `limit` outbox rows of `schema` that were published and are older than `olderThan`; returns how
 * many went. Once JetStream holds an event the row is only a local copy kept for inspection; an unpublished row
 * is never deleted, whatever its age. Event ids are time-ordered (`evt_<ms><random>`), so the age test is a
 * primary-key range: no index beyond the one every outbox has.
 */
export async function prunePublishedOutbox(
  pool: pg.Pool,
  schema: string,
  olderThan: Date,
  limit = OUTBOX_PRUNE_BATCH,
): Promise<number> {
  try {
    const result = await pool.query(
      `delete from "${schema}".outbox where id in (
         select id from "${schema}".outbox where id < $1 and published_at is not null order by id limit $2
       )`,
      [idFloorAt('evt', olderThan.getTime()), limit],
    );
    return result.rowCount ?? 0;
  } catch (err) {
    // No outbox table yet (the relay started before that subgraph's migrations ran): nothing to prune.
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return 0;
    throw err;
  }
}
