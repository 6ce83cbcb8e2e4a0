import 'reflect-metadata';
import { Migration } from '@mikro-orm/migrations';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase } from '../platform/db/database.js';
import { migrateSubgraph, openSubgraphDatabase, type MigrationObject } from '../platform/db/orm.js';
import { createLogger } from '../platform/logger.js';
import { subgraphs } from '../subgraphs/registry.js';
import { LEDGER_FUNCTIONS, ledgerFunctionSql } from '../subgraphs/ledger/sql/functions.js';
import { legacyMigrations } from './legacy/index.js';

/**
 * The squashed baselines against the history they replace: a fresh database and one that ran the old
 * migrations (a dev database from an earlier `npm start`) and was then upgraded end with the same catalogue:
 * tables, columns, types, defaults, constraints, indexes, sequences, functions with their settings, triggers.
 */
const log = createLogger({ name: 'migrations-test', level: 'silent' });
const SCHEMAS = subgraphs.map((s) => s.definition.name);
const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const urlOf = (name: string) => {
  const url = new URL(base);
  url.pathname = `/t_mig_${name}_${suffix}`;
  return url.toString();
};
const fresh = urlOf('fresh');
const upgraded = urlOf('upgraded');
const partial = urlOf('partial');

async function migrate(
  url: string,
  lists: Partial<Record<string, MigrationObject[]>> = {},
): Promise<Record<string, string[]>> {
  await ensureDatabase(url);
  const applied: Record<string, string[]> = {};
  for (const { definition } of subgraphs) {
    const orm = await openSubgraphDatabase({
      schema: definition.name,
      url,
      poolMax: 2,
      entities: definition.entities,
      migrations: lists[definition.name] ?? definition.migrations,
      log,
    });
    try {
      applied[definition.name] = await migrateSubgraph(orm, definition.name);
    } finally {
      await orm.close(true);
    }
  }
  return applied;
}

async function query<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Everything a migration shapes, as sorted text lines (no row data, no OIDs). */
async function catalogue(url: string): Promise<string[]> {
  const s = SCHEMAS;
  const parts = await Promise.all([
    query<{ l: string }>(
      url,
      `select format('column %s.%s.%s %s null=%s default=%s identity=%s generated=%s', table_schema, table_name, column_name, format_type(a.atttypid, a.atttypmod), is_nullable, column_default, is_identity, generation_expression) as l
      from information_schema.columns c join pg_attribute a on a.attrelid = format('%I.%I', table_schema, table_name)::regclass and a.attname = c.column_name
      where table_schema = any($1)`,
      [s],
    ),
    query<{ l: string }>(
      url,
      `select format('relation %s.%s kind=%s options=%s', n.nspname, c.relname, c.relkind, c.reloptions) as l
      from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1) and c.relkind in ('r', 'S', 'v', 'm', 'p')`,
      [s],
    ),
    query<{ l: string }>(
      url,
      `select format('constraint %s.%s %s %s', n.nspname, c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) as l
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = any($1)`,
      [s],
    ),
    query<{ l: string }>(url, `select format('index %s', indexdef) as l from pg_indexes where schemaname = any($1)`, [
      s,
    ]),
    query<{ l: string }>(
      url,
      `select format('sequence %s.%s %s %s %s %s', schemaname, sequencename, data_type, start_value, min_value, max_value) as l from pg_sequences where schemaname = any($1)`,
      [s],
    ),
    query<{ l: string }>(
      url,
      `select format('function %s config=%s volatile=%s %s', p.oid::regprocedure, p.proconfig, p.provolatile, pg_get_functiondef(p.oid)) as l
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1)`,
      [s],
    ),
    query<{ l: string }>(
      url,
      `select format('trigger %s %s', t.tgname, pg_get_triggerdef(t.oid)) as l
      from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1) and not t.tgisinternal`,
      [s],
    ),
  ]);
  return parts
    .flat()
    .map((r) => r.l)
    .sort();
}

const currentNames = (subgraph: string) =>
  subgraphs.find((s) => s.definition.name === subgraph)!.definition.migrations.map((m) => m.name);

class ProbeMigration extends Migration {
  override up(): void {
    this.addSql(`create table ledger.probe_after_baseline (id int primary key)`);
  }
}

beforeAll(async () => {
  await migrate(fresh);
  // An earlier `npm start`: the old histories, then this code's migrations on top.
  await migrate(upgraded, legacyMigrations);
}, 120_000);

afterAll(async () => {
  await Promise.all([fresh, upgraded, partial].map((url) => dropDatabase(url)));
});

describe('squashed migrations', () => {
  it('a fresh database and an upgraded one end with the same catalogue', async () => {
    const before = await catalogue(upgraded);
    const applied = await migrate(upgraded);
    // The baseline records itself on the old database, and everything after it applies there as on a fresh one.
    for (const name of ['ledger', 'wallet']) expect(applied[name]).toEqual(currentNames(name));
    expect(applied.ledger![0]).toBe('Migration20261125000000_baseline');
    const [a, b] = await Promise.all([catalogue(fresh), catalogue(upgraded)]);
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    // The upgrade really changed something: the old commit_batch was redefined, its setting now in the definition.
    expect(before).not.toEqual(a);
  });

  it('commit_batch keeps plan_cache_mode in its definition; every function is what its file says', async () => {
    const [fn] = await query<{ proconfig: string[]; def: string }>(
      fresh,
      `select proconfig, pg_get_functiondef(oid) as def from pg_proc where oid = 'ledger.commit_batch(jsonb, smallint)'::regprocedure`,
    );
    expect(fn!.proconfig).toEqual(['plan_cache_mode=force_generic_plan']);
    expect(fn!.def).toContain("SET plan_cache_mode TO 'force_generic_plan'");
    const before = await catalogue(fresh);
    for (const name of LEDGER_FUNCTIONS) await query(fresh, ledgerFunctionSql(name));
    expect(await catalogue(fresh)).toEqual(before);
    // The outbox's notify_outbox comes with the outbox tables (platform/bus); every other function has its file.
    expect(
      before.filter((l) => l.startsWith('function ledger.') && !l.startsWith('function ledger.notify_outbox')).length,
    ).toBe(LEDGER_FUNCTIONS.length);
  });

  it('a redefinition from the file cannot drop plan_cache_mode', async () => {
    await query(fresh, `alter function ledger.commit_batch(jsonb, smallint) reset plan_cache_mode`);
    await query(fresh, ledgerFunctionSql('commit_batch'));
    const [fn] = await query<{ proconfig: string[] }>(
      fresh,
      `select proconfig from pg_proc where oid = 'ledger.commit_batch(jsonb, smallint)'::regprocedure`,
    );
    expect(fn!.proconfig).toEqual(['plan_cache_mode=force_generic_plan']);
  });

  it('a migration added after the baseline applies to an upgraded database too; the old names stay recorded', async () => {
    const list = [
      ...subgraphs.find((s) => s.definition.name === 'ledger')!.definition.migrations,
      { name: 'Migration29990101000000_probe', class: ProbeMigration },
    ];
    expect((await migrate(upgraded, { ledger: list })).ledger).toEqual(['Migration29990101000000_probe']);
    const names = (
      await query<{ name: string }>(upgraded, `select name from ledger.mikro_orm_migrations order by id`)
    ).map((r) => r.name);
    expect(names.slice(0, 6)).toEqual(legacyMigrations.ledger.map((m) => m.name));
    expect(names.slice(6)).toEqual([...currentNames('ledger'), 'Migration29990101000000_probe']);
  });

  it('a database with only part of the old history is refused with a way out, nothing half-done', async () => {
    await migrate(partial, { ledger: legacyMigrations.ledger.slice(0, 2) });
    await expect(migrate(partial)).rejects.toThrow(
      /ran only part of the migrations squashed into Migration20261125000000_baseline \(missing: Migration20261122030000_commit_batch_fixed_cost.*drop it and start again/s,
    );
    const names = await query<{ name: string }>(partial, `select name from ledger.mikro_orm_migrations`);
    expect(names).toHaveLength(2);
  });
});
