import { connect } from 'nats';
import type { Viewer } from '../../../platform/auth/viewer.js';
import type { Env } from '../../../platform/config/config.js';
import { newId } from '../../../platform/ids.js';
import type { Network } from '../../../platform/money/assets.js';
import { startSubgraph, type RunningSubgraph } from '../../../platform/service/subgraph.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { walletSubgraph } from '../../../subgraphs/wallet/app.js';
import type { WalletServices } from '../../../subgraphs/wallet/context.js';
import {
  startChainWatcherWorker,
  type ChainWatcherWorkerOptions,
  type RunningChainWatcher,
} from '../core/watcher.worker.js';

export interface DepositRecord {
  id: string;
  user_id: string;
  asset: string;
  amount: string;
  from_address: string;
  to_address: string;
  tx_hash: string;
  output_index: number;
  status: string;
  confirmations: number;
  confirm_event_id: string | null;
  block_number: string;
}

export interface OutboxEnvelope<P> {
  id: string;
  type: string;
  payload: P & { depositId: string };
}

export interface WatcherTestEnv {
  env: TestEnv;
  wallet: RunningSubgraph;
  sql<T>(query: string, params?: unknown[]): Promise<T[]>;
  /** A user with a deposit address on `network`. */
  newUser(network: Network): Promise<{ userId: string; address: string }>;
  depositsOf(userId: string): Promise<DepositRecord[]>;
  eventsOf<P>(subject: string, depositIds: string[]): Promise<OutboxEnvelope<P>[]>;
  watcher(network: Network, options?: ChainWatcherWorkerOptions): Promise<RunningChainWatcher>;
  close(): Promise<void>;
}

/**
 * A fresh database with the wallet subgraph running in-process (custody root, migrations) and chain watchers
 * started on demand against the same config: what watcher integration tests need, without the gateway.
 */
export async function startWatcherTestEnv(overrides: Env): Promise<WatcherTestEnv> {
  const env = await createTestEnv(overrides);
  const wallet = await startSubgraph(walletSubgraph, env.config, env.log, 0);
  const services = (wallet.app.context!() as { wallet: WalletServices }).wallet;
  const watchers: RunningChainWatcher[] = [];
  const sql = <T>(query: string, params: unknown[] = []) =>
    wallet.deps.orm.em.fork().getConnection().execute<T[]>(query, params);
  return {
    env,
    wallet,
    sql,
    async newUser(network) {
      const userId = newId('usr');
      const viewer: Viewer = { userId, roles: ['USER'], claims: [], sessionId: null };
      const w = await services.wallets.depositAddress(wallet.deps.orm.em.fork(), viewer, userId, network);
      return { userId, address: w.address };
    },
    depositsOf: (userId) =>
      sql<DepositRecord>(
        `select id, user_id, asset, amount::text as amount, from_address, to_address, tx_hash, output_index, status, confirmations, confirm_event_id,
           block_number::text as block_number from wallet.deposit where user_id = ? order by id`,
        [userId],
      ),
    async eventsOf<P>(subject: string, depositIds: string[]) {
      const rows = await sql<{ envelope: OutboxEnvelope<P> }>(
        `select envelope from wallet.outbox where subject = ? order by occurred_at, id`,
        [subject],
      );
      return rows.map((r) => r.envelope).filter((e) => depositIds.includes(e.payload.depositId));
    },
    async watcher(network, options = {}) {
      const w = await startChainWatcherWorker(env.config, env.log, network, { port: 0, start: false, ...options });
      watchers.push(w);
      return w;
    },
    async close() {
      for (const w of watchers) await w.close().catch(() => undefined);
      await wallet.close();
      const nc = await connect({ servers: env.config.nats.url });
      await (await nc.jetstreamManager()).streams.delete(env.config.nats.stream).catch(() => undefined);
      await nc.close();
      await env.cleanup();
    },
  };
}

/** Steps a watcher until it has ingested `head`. */
export async function stepUntil(w: RunningChainWatcher, head: bigint, maxSteps = 50): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    const r = await w.watcher.step();
    if ((r.kind === 'idle' || r.kind === 'advanced') && r.cursor >= head) return;
  }
  throw new Error(`watcher did not reach block ${head}`);
}
