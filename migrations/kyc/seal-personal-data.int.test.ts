import 'reflect-metadata';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase } from '../../platform/db/database.js';
import { migrateSubgraph, openSubgraphDatabase, type MigrationObject } from '../../platform/db/orm.js';
import { createLogger } from '../../platform/logger.js';
import { kycSubgraph } from '../../subgraphs/kyc/app.js';
import { kycMigrations } from './index.js';

/**
 * The migration that seals personal data cannot seal what is already stored (the database never holds the
 * keys): over a kyc_submission with rows it stops, changing nothing; over an empty one it drops the plaintext
 * columns for the sealed ones.
 */
const log = createLogger({ name: 'kyc-migration-test', level: 'silent' });
const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = (() => {
  const u = new URL(base);
  u.pathname = `/t_kycseal_${process.pid}_${Date.now().toString(36)}`;
  return u.toString();
})();

async function migrate(migrations: MigrationObject[]): Promise<string[]> {
  const orm = await openSubgraphDatabase({
    schema: 'kyc',
    url,
    poolMax: 2,
    entities: kycSubgraph.entities,
    migrations,
    log,
  });
  try {
    return await migrateSubgraph(orm, 'kyc');
  } finally {
    await orm.close(true);
  }
}

async function query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const columns = async () =>
  (
    await query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = 'kyc' and table_name = 'kyc_submission' order by column_name`,
    )
  ).map((c) => c.column_name);

afterAll(async () => {
  await dropDatabase(url);
});

describe('Migration20261207120000_seal_personal_data', () => {
  it('refuses plaintext rows, changing nothing; over an empty table it leaves only sealed columns', async () => {
    await ensureDatabase(url);
    await migrate(kycMigrations.slice(0, 1));
    await query(
      `insert into kyc.kyc_submission (id, user_id, tier_requested, first_name, last_name, national_id, birth_date, phone, document_ids)
       values ('kyc_00000000000000000000000001', 'usr_00000000000000000000000001', 'BASIC', 'علی', 'رضایی', '0499370899', '1991-08-03', '+989121234567', '{}')`,
    );
    await expect(migrate(kycMigrations.slice(0, 2))).rejects.toThrow(/kyc_submission holds plaintext personal data/);
    expect(await columns()).toContain('national_id');
    expect(await query(`select national_id from kyc.kyc_submission`)).toEqual([{ national_id: '0499370899' }]);

    await query(`delete from kyc.kyc_submission`);
    expect(await migrate(kycMigrations.slice(0, 2))).toEqual(['Migration20261207120000_seal_personal_data']);
    const after = await columns();
    for (const plain of ['first_name', 'last_name', 'national_id', 'birth_date', 'phone'])
      expect(after).not.toContain(plain);
    expect(after).toEqual(
      expect.arrayContaining([
        'first_name_enc',
        'last_name_enc',
        'national_id_enc',
        'birth_date_enc',
        'phone_enc',
        'national_id_index',
      ]),
    );
    // the database refuses a value that is not sealed
    await expect(
      query(
        `insert into kyc.kyc_submission (id, user_id, tier_requested, first_name_enc, last_name_enc, national_id_enc, birth_date_enc, phone_enc, national_id_index, document_ids)
         values ('kyc_00000000000000000000000002', 'usr_00000000000000000000000001', 'BASIC', 'a', 'b', '0499370899', 'd', 'e', 'f', '{}')`,
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
