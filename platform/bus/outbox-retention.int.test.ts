import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { idFloorAt } from '../ids.js';
import { createTestEnv, type TestEnv } from '../../testing/test-env.js';
import { outboxTablesSql } from './outbox.entity.js';
import { prunePublishedOutbox } from './outbox-retention.js';

let env: TestEnv;
let pool: pg.Pool;
beforeAll(async () => {
  env = await createTestEnv();
  pool = new pg.Pool({ connectionString: env.config.database.url, max: 2 });
  for (const sql of outboxTablesSql('kept')) await pool.query(sql);
  await pool.query('create schema bare'); // no outbox table: nothing to prune, no error
});
afterAll(async () => {
  await pool?.end();
  await env?.cleanup();
});

const DAY = 86_400_000;
/** An event id made `daysAgo` days ago (the time part is what the pruner compares). */
const idFrom = (daysAgo: number) =>
  idFloorAt('evt', Date.now() - daysAgo * DAY).slice(0, -16) + randomBytes(8).toString('hex');

async function insert(id: string, published: boolean): Promise<void> {
  await pool.query(
    `insert into kept.outbox (id, subject, envelope, occurred_at, published_at) values ($1, 'x.y', '{}', now(), ${published ? 'now()' : 'null'})`,
    [id],
  );
}

it('deletes published rows past the retention in bounded batches; keeps recent ones and every unpublished row', async () => {
  const oldPublished = [idFrom(10), idFrom(9), idFrom(8)];
  const oldUnpublished = idFrom(30);
  const recentPublished = idFrom(1);
  const recentUnpublished = idFrom(0);
  for (const id of oldPublished) await insert(id, true);
  await insert(oldUnpublished, false);
  await insert(recentPublished, true);
  await insert(recentUnpublished, false);

  const cutoff = new Date(Date.now() - 7 * DAY);
  expect(await prunePublishedOutbox(pool, 'kept', cutoff, 2)).toBe(2);
  expect(await prunePublishedOutbox(pool, 'kept', cutoff, 2)).toBe(1);
  expect(await prunePublishedOutbox(pool, 'kept', cutoff, 2)).toBe(0);
  const { rows } = await pool.query<{ id: string }>('select id from kept.outbox order by id');
  expect(rows.map((r) => r.id)).toEqual([oldUnpublished, recentPublished, recentUnpublished].sort());
  expect(await prunePublishedOutbox(pool, 'bare', cutoff)).toBe(0);
});
