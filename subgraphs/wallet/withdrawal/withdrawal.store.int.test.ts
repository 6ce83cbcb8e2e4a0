import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletMigrations } from '../../../migrations/wallet/index.js';
import { migrateSubgraph, openSubgraphDatabase, type MikroORM } from '../../../platform/db/orm.js';
import { newId } from '../../../platform/ids.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { walletEntities } from '../entities.js';
import { canMove, transition, WITHDRAWAL_STATUSES, type WithdrawalStatus } from './withdrawal.store.js';

/**
 * The withdrawal state machine at the database: the trigger over wallet.withdrawal_transition allows exactly the
 * moves TRANSITIONS lists (so nothing moves backwards whatever the code does), and `transition` is a
 * compare-and-set: of two racing decisions one wins, with one audit row and its events.
 */

let env: TestEnv;
let orm: MikroORM;
const em = () => orm.em.fork() as EntityManager;

async function insert(status: WithdrawalStatus): Promise<string> {
  const id = newId('wdr');
  await em().execute(
    `insert into wallet.withdrawal (id, user_id, network, asset, to_address, amount, fee, fee_quote, needs_approval, status, idempotency_key, request_hash)
     values (?, 'usr_test', 'ETH', 'ETH', '0x00000000000000000000000000000000000b0b01', 1, 0, '{}', false, ?, ?, 'h')`,
    [id, status, id],
  );
  return id;
}

beforeAll(async () => {
  env = await createTestEnv();
  orm = await openSubgraphDatabase({
    schema: 'wallet',
    url: env.config.database.url,
    poolMax: 4,
    entities: walletEntities,
    migrations: walletMigrations,
    log: env.log,
  });
  await migrateSubgraph(orm, 'wallet');
});

afterAll(async () => {
  await orm?.close(true);
  await env?.cleanup();
});

describe('withdrawal transitions', () => {
  it('the database allows exactly the listed moves: never backwards, nothing out of a final status', async () => {
    const refused: string[] = [];
    const allowed: string[] = [];
    for (const from of WITHDRAWAL_STATUSES)
      for (const to of WITHDRAWAL_STATUSES) {
        if (from === to) continue;
        const id = await insert(from);
        try {
          await em().execute('update wallet.withdrawal set status = ? where id = ?', [to, id]);
          allowed.push(`${from}>${to}`);
        } catch {
          refused.push(`${from}>${to}`);
        }
      }
    const expected = WITHDRAWAL_STATUSES.flatMap((f) =>
      WITHDRAWAL_STATUSES.filter((t) => t !== f && canMove(f, t)).map((t) => `${f}>${t}`),
    );
    expect(allowed.sort()).toEqual(expected.sort());
    expect(refused).toContain('COMPLETED>REQUESTED');
    expect(refused).toContain('BROADCAST>APPROVED');
  });

  it('two racing decisions on one withdrawal: exactly one moves it, with one audit row and its events', async () => {
    const id = await insert('PENDING_APPROVAL');
    const outcomes = await Promise.all(
      (['APPROVED', 'CANCELLED'] as const).map((to) =>
        em().transactional((tx) => transition(tx, id, ['PENDING_APPROVAL'], to, `actor-${to}`)),
      ),
    );
    expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
    const audit = await em().execute<{ to_status: string }[]>(
      'select to_status from wallet.withdrawal_audit where withdrawal_id = ?',
      [id],
    );
    expect(audit).toHaveLength(1);
    const [row] = await em().execute<{ status: string }[]>('select status from wallet.withdrawal where id = ?', [id]);
    expect(row!.status).toBe(audit[0]!.to_status);
    const events = await em().execute<{ type: string }[]>(
      `select subject as type from wallet.outbox where envelope->'payload'->>'withdrawalId' = ?`,
      [id],
    );
    const types = events.map((e) => e.type).sort();
    // A cancellation also tells the ledger to release the hold.
    expect(types).toEqual(
      row!.status === 'CANCELLED'
        ? ['wallet.withdrawal.changed', 'wallet.withdrawal.failed']
        : ['wallet.withdrawal.changed'],
    );
  });
});
