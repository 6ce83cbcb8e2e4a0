import { MikroORM, type EntityManager, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';
import type { Logger } from '../logger.js';
import { queryTypeOf, type DatabaseSource, type PoolStats, type QueryObserver } from '../http/metrics.js';
import { InboxEntry, OutboxEvent } from '../bus/outbox.entity.js';

export type { EntityManager, MigrationObject };
export { MikroORM };

export interface SubgraphDatabaseOptions {
  /** The Postgres schema this subgraph owns; every table of its entities lives there. */
  schema: string;
  url: string;
  poolMax: number;
  entities: Options['entities'];
  migrations: MigrationObject[];
  log: Logger;
}

/** One MikroORM per subgraph, bound to its own schema, with the outbox and inbox entities included. */
export async function openSubgraphDatabase(options: SubgraphDatabaseOptions): Promise<MikroORM> {
  return MikroORM.init({
    clientUrl: options.url,
    schema: options.schema,
    entities: [...(options.entities ?? []), OutboxEvent, InboxEntry],
    extensions: [Migrator],
    migrations: {
      migrationsList: options.migrations,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    pool: { min: 0, max: options.poolMax },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    discovery: { warnWhenNoEntities: false },
    logger: (message) => options.log.trace({ orm: true }, message),
    debug: false,
  });
}

/** Applies this subgraph's committed migrations; safe to run from several processes at once. */
export async function migrateSubgraph(orm: MikroORM, schema: string): Promise<string[]> {
  const knex = orm.em.getConnection().getKnex();
  const lockKey = hashLock(`migrate:${schema}`);
  const conn = await knex.client.acquireConnection();
  try {
    await knex.raw('select pg_advisory_lock(?)', [lockKey]).connection(conn);
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await knex
      .raw('select pg_advisory_unlock(?)', [lockKey])
      .connection(conn)
      .catch(() => undefined);
    await knex.client.releaseConnection(conn);
  }
}

function hashLock(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

export function poolStats(orm: MikroORM): PoolStats | null {
  const pool = orm.em.getConnection().getKnex().client.pool as
    { numUsed(): number; numFree(): number; numPendingAcquires(): number; max: number } | undefined;
  if (!pool) return null;
  return { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires(), max: pool.max };
}

/** The ORM's pool and statements as `Metrics.trackDatabase` reads them. */
export function databaseSource(orm: MikroORM): DatabaseSource {
  return { poolStats: () => poolStats(orm), observeQueries: (observe) => observeQueries(orm, observe) };
}

type KnexQuery = { __knexQueryUid?: string; sql?: string };

/**
 * Times every statement MikroORM runs, from knex's query events (one pair per statement, matched by its uid):
 * the one place all ORM traffic passes, whatever the caller. BEGIN/COMMIT carry no uid and are not timed.
 */
function observeQueries(orm: MikroORM, observe: QueryObserver): void {
  const knex = orm.em.getConnection().getKnex();
  const started = new Map<string, { at: bigint; sql: string }>();
  const done = (query: KnexQuery) => {
    const uid = query.__knexQueryUid;
    const start = uid ? started.get(uid) : undefined;
    if (!uid || !start) return;
    started.delete(uid);
    observe(queryTypeOf(start.sql), Number(process.hrtime.bigint() - start.at) / 1e9);
  };
  knex.on('query', (query: KnexQuery) => {
    if (query.__knexQueryUid) started.set(query.__knexQueryUid, { at: process.hrtime.bigint(), sql: query.sql ?? '' });
  });
  knex.on('query-response', (_response: unknown, query: KnexQuery) => done(query));
  knex.on('query-error', (_error: unknown, query: KnexQuery) => done(query));
}

export async function pingDatabase(orm: MikroORM): Promise<void> {
  await orm.em.getConnection().execute('select 1');
}
