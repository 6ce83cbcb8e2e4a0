import pg from 'pg';
import { queryTypeOf, type DatabaseSource } from '../http/metrics.js';

/** Creates the database named in the URL if it does not exist (dev and test convenience; idempotent). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must be letters, digits and _`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      try {
        await client.query(`create database "${name}"`);
      } catch (err) {
        if ((err as { code?: string }).code !== '42P04') throw err; // created concurrently
      }
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

/**
 * A plain pg pool (the outbox relay's) as `Metrics.trackDatabase` reads it. Statements are timed by wrapping
 * `query` on each client as the pool opens it, so call this before the pool's first query; streamed queries
 * (submittables such as cursors) are not timed.
 */
export function pgPoolSource(pool: pg.Pool, max: number): DatabaseSource {
  return {
    poolStats: () => ({
      used: pool.totalCount - pool.idleCount,
      free: pool.idleCount,
      pending: pool.waitingCount,
      max,
    }),
    observeQueries(observe) {
      pool.on('connect', (client) => {
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as { query: unknown }).query = (...args: unknown[]) => {
          const first = args[0] as string | { text?: string } | undefined;
          const sql = typeof first === 'string' ? first : (first?.text ?? '');
          const at = process.hrtime.bigint();
          const finish = () => observe(queryTypeOf(sql), Number(process.hrtime.bigint() - at) / 1e9);
          const last = args.at(-1);
          if (typeof last === 'function') {
            args[args.length - 1] = (...results: unknown[]) => {
              finish();
              return (last as (...r: unknown[]) => unknown)(...results);
            };
            return query(...args);
          }
          const result = query(...args);
          if (result instanceof Promise) result.then(finish, finish);
          return result;
        };
      });
    },
  };
}
