import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { DomainError } from '../../../platform/errors.js';
import { migrateSubgraph, openSubgraphDatabase, type MikroORM } from '../../../platform/db/orm.js';
import { newId } from '../../../platform/ids.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { walletMigrations } from '../../../migrations/wallet/index.js';
import { NETWORKS } from '../../../chains/network.js';
import { CustodyVault } from '../custody-root/custody-vault.js';
import { buildKeyring } from '../custody-root/keyring.js';
import { walletEntities } from '../entities.js';
import { cleanLabel, WalletService } from './wallet.service.js';

/** Three "processes": each its own connection pool, vault and service, sharing one database. */
const PROCESSES = 3;

let env: TestEnv;
const orms: MikroORM[] = [];
const services: WalletService[] = [];

function viewer(userId: string): Viewer {
  return { userId, roles: ['USER'], claims: [], sessionId: null };
}

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return orms[0]!.em.fork().getConnection().execute<T[]>(text, params);
}

beforeAll(async () => {
  env = await createTestEnv({ WALLET_MAX_WALLETS_PER_NETWORK: '4' });
  for (let i = 0; i < PROCESSES; i++) {
    const orm = await openSubgraphDatabase({
      schema: 'wallet',
      url: env.config.database.url,
      poolMax: 4,
      entities: walletEntities,
      migrations: walletMigrations,
      log: env.log,
    });
    orms.push(orm);
    if (i === 0) await migrateSubgraph(orm, 'wallet');
    const vault = new CustodyVault(buildKeyring(env.config), env.log);
    await vault.initialize(orm.em.fork());
    services.push(new WalletService(vault, { maxWalletsPerNetwork: env.config.wallet.maxWalletsPerNetwork }));
  }
});

afterAll(async () => {
  for (const orm of orms) await orm.close(true);
  await env?.cleanup();
});

describe('race-free creation across processes', () => {
  it('parallel first asks from several processes: one wallet per network, one custody index, no index skipped', async () => {
    const userId = newId('usr');
    const before = await sql<{ last_value: string; is_called: boolean }>(
      `select "last_value", "is_called" from "wallet"."custody_index_seq"`,
    );
    const asks = Array.from({ length: 120 }, (_, i) =>
      services[i % PROCESSES]!.depositAddress(
        orms[i % PROCESSES]!.em.fork(),
        viewer(userId),
        userId,
        NETWORKS[i % NETWORKS.length]!,
      ),
    );
    const wallets = await Promise.all(asks);
    for (const network of NETWORKS)
      expect(new Set(wallets.filter((w) => w.network === network).map((w) => w.id)).size).toBe(1);
    const rows = await sql<{ network: string; custody_index: number; is_default: boolean; is_primary: boolean }>(
      `select * from "wallet"."wallet" where "user_id" = ?`,
      [userId],
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.is_default && r.is_primary)).toBe(true);
    expect(new Set(rows.map((r) => r.custody_index)).size).toBe(1);
    const after = await sql<{ last_value: string }>(`select "last_value" from "wallet"."custody_index_seq"`);
    expect(Number(after[0]!.last_value) - (before[0]!.is_called ? Number(before[0]!.last_value) : 0)).toBe(1);
    expect(
      await sql(`select 1 from "wallet"."outbox" where "envelope"->'payload'->>'userId' = ?`, [userId]),
    ).toHaveLength(4);
  });

  it('parallel createWallet on one network: never above the limit, distinct keys, exactly one default', async () => {
    const userId = newId('usr');
    const results = await Promise.allSettled(
      Array.from({ length: 9 }, (_, i) =>
        services[i % PROCESSES]!.createWallet(orms[i % PROCESSES]!.em.fork(), viewer(userId), 'TRON', `w${i}`),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(4);
    expect(refused.every((r) => r.reason instanceof DomainError && r.reason.code === 'BAD_USER_INPUT')).toBe(true);
    const rows = await sql<{ custody_index: number; address: string; is_default: boolean; is_primary: boolean }>(
      `select * from "wallet"."wallet" where "user_id" = ?`,
      [userId],
    );
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r.custody_index)).size).toBe(4);
    expect(new Set(rows.map((r) => r.address)).size).toBe(4);
    expect(rows.filter((r) => r.is_default)).toHaveLength(1);
    expect(rows.filter((r) => r.is_primary)).toHaveLength(1);
  });

  it('parallel setDefaultWallet calls leave exactly one default', async () => {
    const userId = newId('usr');
    const created: { id: string }[] = [];
    for (let i = 0; i < 4; i++)
      created.push(await services[0]!.createWallet(orms[0]!.em.fork(), viewer(userId), 'BSC', null));
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        services[i % PROCESSES]!.setDefault(orms[i % PROCESSES]!.em.fork(), viewer(userId), created[i % 4]!.id),
      ),
    );
    const defaults = await sql(`select "id" from "wallet"."wallet" where "user_id" = ? and "is_default"`, [userId]);
    expect(defaults).toHaveLength(1);
  });
});

describe('cleanLabel', () => {
  it('trims, turns blank into null, keeps emoji, refuses overlong and control or bidi characters', () => {
    expect(cleanLabel(undefined)).toBeNull();
    expect(cleanLabel('   ')).toBeNull();
    expect(cleanLabel('  Savings  ')).toBe('Savings');
    expect(cleanLabel('👨‍👩‍👧 family')).toBe('👨‍👩‍👧 family');
    for (const bad of ['a'.repeat(65), 'new\nline', 'nul\u0000', 'abc\u202Edef', 'x\u2066y'])
      expect(() => cleanLabel(bad), JSON.stringify(bad)).toThrow(DomainError);
  });
});
