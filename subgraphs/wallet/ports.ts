import type { EntityManager } from '@mikro-orm/postgresql';
import type { Network } from '../../chains/network.js';
import type { CursorState, ScannedBlock } from '../../chains/source.js';
import { walletMigrations } from '../../migrations/wallet/index.js';
import { ensureDatabase } from '../../platform/db/database.js';
import { migrateSubgraph, openSubgraphDatabase, pingDatabase, poolStats } from '../../platform/db/orm.js';
import type { PoolStats } from '../../platform/http/metrics.js';
import type { Logger } from '../../platform/logger.js';
import { depositEntities } from './deposit/deposit.entity.js';
import { DepositIngest, type IngestOutcome, type RollbackOutcome } from './deposit/deposit.ingest.js';
import { walletEntities } from './entities.js';

/**
 * The wallet subgraph's public ports: what other processes may use of it. Everything else under
 * subgraphs/wallet/ is internal (the chain watchers reach deposits only through `DepositWriter`).
 */

export type { IngestOutcome, RollbackOutcome };

/**
 * The deposit writer a chain watcher drives: one network's cursor, stored block hashes, and the idempotent
 * ingest / rollback of scanned blocks into wallet.deposit (with their outbox events), each in one transaction
 * that compare-and-sets the cursor. Implemented by `DepositIngest`.
 */
export interface DepositWriter {
  readonly network: Network;
  /** The last block ingested, or null before the first start. */
  cursor(em: EntityManager): Promise<CursorState | null>;
  /** First start: stores the cursor at `start`; another instance may have won, so returns what is stored. */
  initCursor(em: EntityManager, start: CursorState, parentHash: string): Promise<CursorState>;
  /** Stored block hashes for heights [from, to]. */
  storedHashes(em: EntityManager, from: bigint, to: bigint): Promise<Map<bigint, string>>;
  /** Ingests blocks that extend `expected`; `applied: false` when another instance moved the cursor first. */
  ingest(em: EntityManager, expected: CursorState, blocks: readonly ScannedBlock[]): Promise<IngestOutcome>;
  /** Rolls back everything above `fork` (a reorg), or restarts on a new chain at `resetTo`. */
  rollback(
    em: EntityManager,
    expected: CursorState,
    fork: { height: bigint },
    resetTo?: { cursor: CursorState; parentHash: string },
  ): Promise<RollbackOutcome>;
}

export interface DepositWriterSettings {
  network: Network;
  /** Confirmations a deposit needs before its credit is requested. */
  confirmations: number;
  /** How many block hashes are kept for reorg detection. */
  reorgWindow: number;
}

/** A deposit writer with its own connection pool to the wallet schema. */
export interface DepositStore {
  writer: DepositWriter;
  /** A fresh EntityManager fork (one per watcher step). */
  em(): EntityManager;
  ping(): Promise<void>;
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

/** A deposit writer over an EntityManager the caller already has (benchmarks, tests). */
export function createDepositWriter(settings: DepositWriterSettings, log: Logger): DepositWriter {
  return new DepositIngest(settings, log);
}

/**
 * Opens the wallet schema for one network's watcher: creates the database if missing, applies the wallet
 * migrations (a no-op when the wallet subgraph already did; safe concurrently) and returns the writer.
 */
export async function openDepositStore(
  options: DepositWriterSettings & { databaseUrl: string; poolMax?: number; log: Logger },
): Promise<DepositStore> {
  const { databaseUrl, poolMax = 3, log, ...settings } = options;
  await ensureDatabase(databaseUrl);
  const orm = await openSubgraphDatabase({
    schema: 'wallet',
    url: databaseUrl,
    poolMax,
    entities: [...walletEntities, ...depositEntities],
    migrations: walletMigrations,
    log,
  });
  await migrateSubgraph(orm, 'wallet');
  return {
    writer: createDepositWriter(settings, log),
    em: () => orm.em.fork() as EntityManager,
    ping: () => pingDatabase(orm),
    poolStats: () => poolStats(orm),
    close: () => orm.close(true),
  };
}
