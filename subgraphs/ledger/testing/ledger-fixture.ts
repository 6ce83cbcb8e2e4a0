import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role, Viewer } from '../../../platform/auth/viewer.js';
import type { Env } from '../../../platform/config/config.js';
import { newId } from '../../../platform/ids.js';
import { startSubgraph, type RunningSubgraph } from '../../../platform/service/subgraph.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { ledgerSubgraph } from '../app.js';
import type { LedgerServices } from '../context.js';
import { verifyLedger, type LedgerReport } from '../core/verifier.js';
import { assetInfo } from '../../../platform/money/assets.js';

export interface LedgerFixture {
  env: TestEnv;
  running: RunningSubgraph;
  services: LedgerServices;
  em(): EntityManager;
  /** A user the ledger knows (as if identity's user.created had arrived). */
  addUser(username?: string | null): Promise<string>;
  /** Credits a user through the deposit path (custody → available), in minor units. */
  deposit(userId: string, asset: string, amount: bigint): Promise<void>;
  viewer(userId: string, roles?: Role[], claims?: string[]): Viewer;
  /** Staff with the FINANCE role and the ledger:adjust claim. */
  finance(): Viewer;
  verify(): Promise<LedgerReport>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The ledger subgraph alone on a fresh database (real Postgres, Redis, NATS), with helpers for tests. */
export async function startLedgerFixture(overrides: Env = {}): Promise<LedgerFixture> {
  const env = await createTestEnv(overrides);
  const running = await startSubgraph(ledgerSubgraph, env.config, env.log, 0);
  const services = (running.app.context!() as { ledger: LedgerServices }).ledger;
  const em = () => running.deps.orm.em.fork();
  let deposits = 0;
  return {
    env,
    running,
    services,
    em,
    async addUser(username = null) {
      const userId = newId('usr');
      await em().transactional((tx) =>
        services.directory.remember(tx, { userId, username, telegramId: null, seenAt: new Date() }),
      );
      return userId;
    },
    async deposit(userId, asset, amount) {
      const network = assetInfo(asset)?.network;
      if (!network) throw new Error(`no network for ${asset}`);
      const n = ++deposits;
      const result = await em().transactional((tx) =>
        services.postings.creditDeposit(
          tx,
          {
            depositId: `dep_${n}`,
            userId,
            network,
            asset,
            amount,
            txHash: `0xfixture${Date.now()}${n}`,
            outputIndex: 0,
          },
          'system:test',
        ),
      );
      if (result.type !== 'Transaction') throw new Error(`deposit refused: ${result.type}`);
    },
    viewer: (userId, roles = ['USER'], claims = []) => ({ userId, roles, claims, sessionId: null }),
    finance: () => ({ userId: newId('usr'), roles: ['USER', 'FINANCE'], claims: ['ledger:adjust'], sessionId: null }),
    verify: () => verifyLedger(em()),
    sql: <T>(text: string, params: unknown[] = []) => em().getConnection().execute<T[]>(text, params),
    async close() {
      await running.close();
      await env.cleanup();
    },
  };
}
