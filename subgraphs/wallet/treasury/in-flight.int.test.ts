import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletMigrations } from '../../../migrations/wallet/index.js';
import { migrateSubgraph, openSubgraphDatabase, type MikroORM } from '../../../platform/db/orm.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { walletEntities } from '../entities.js';
import { run } from '../sweep/move.store.js';
import { inFlightByAsset } from './treasury.service.js';

/** `treasury.inFlight`: open treasury moves plus withdrawals whose transaction is signed and not final. */

let env: TestEnv;
let orm: MikroORM;
const em = () => orm.em.fork() as EntityManager;

beforeAll(async () => {
  env = await createTestEnv();
  orm = await openSubgraphDatabase({
    schema: 'wallet',
    url: env.config.database.url,
    poolMax: 2,
    entities: walletEntities,
    migrations: walletMigrations,
    log: env.log,
  });
  await migrateSubgraph(orm, 'wallet');
}, 60_000);

afterAll(async () => {
  await orm?.close(true);
  await env?.cleanup();
});

let n = 0;
async function withdrawal(asset: string, amount: bigint, status: string): Promise<void> {
  n += 1;
  await run(
    em(),
    `insert into wallet.withdrawal (id, user_id, network, asset, to_address, amount, fee, fee_quote, needs_approval,
       status, idempotency_key, request_hash)
     values (?, 'usr_1', 'ETH', ?, '0x2222222222222222222222222222222222222222', ?, 0, '{}', false, ?, ?, 'h')`,
    [`wd_${n}`, asset, amount.toString(), status, `key_${n}`],
  );
}
async function move(kind: string, asset: string, amount: bigint, status: string): Promise<void> {
  n += 1;
  await run(
    em(),
    `insert into wallet.treasury_move (id, kind, network, asset, source_kind, from_address, to_address, amount, status,
       tx_hash, raw, fee_asset)
     values (?, ?, 'ETH', ?, 'hot', '0x1111111111111111111111111111111111111111', ?, ?, ?, ?, ?, 'ETH')`,
    [
      `mv_${n}`,
      kind,
      asset,
      `0x${n.toString(16).padStart(40, '3')}`,
      amount.toString(),
      status,
      status === 'PLANNED' ? null : `0x${n}`,
      status === 'PLANNED' ? null : '0x00',
    ],
  );
}

describe('treasury in flight', () => {
  it('sums open moves and signed, broadcast or confirming withdrawals per asset; final or unsigned ones do not count', async () => {
    expect(await inFlightByAsset(em())).toEqual(new Map());
    await move('COLD', 'ETH', 3n, 'PLANNED');
    await move('GAS_TOPUP', 'ETH', 5n, 'BROADCAST');
    await move('SWEEP', 'ETH', 1000n, 'CONFIRMED');
    await withdrawal('ETH', 70n, 'SIGNED');
    await withdrawal('ETH', 200n, 'BROADCAST');
    await withdrawal('USDT_ETH', 9n, 'CONFIRMING');
    for (const status of ['REQUESTED', 'APPROVED', 'COMPLETED', 'FAILED']) await withdrawal('ETH', 100_000n, status);
    expect(await inFlightByAsset(em())).toEqual(
      new Map([
        ['ETH', 3n + 5n + 70n + 200n],
        ['USDT_ETH', 9n],
      ]),
    );
  });
});
