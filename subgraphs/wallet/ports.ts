import type { EntityManager } from '@mikro-orm/postgresql';
import type { Network } from '../../chains/network.js';
import type { CursorState, ScannedBlock } from '../../chains/source.js';
import { walletMigrations } from '../../migrations/wallet/index.js';
import { ensureDatabase } from '../../platform/db/database.js';
import { databaseSource, migrateSubgraph, openSubgraphDatabase, pingDatabase } from '../../platform/db/orm.js';
import type { DatabaseSource } from '../../platform/http/metrics.js';
import type { Logger } from '../../platform/logger.js';
import { depositEntities } from './deposit/deposit.entity.js';
import { DepositIngest, type IngestOutcome, type RollbackOutcome } from './deposit/deposit.ingest.js';
import { walletEntities } from './entities.js';
import type { ChainsConfig } from '../../platform/config/chains.js';
import type { MasterKeySet } from '../../platform/config/config.js';
import type { PayoutsConfig } from '../../platform/config/payouts.js';
import { buildKeyring } from './custody-root/keyring.js';
import type { ChainPayout } from './payout/payout.port.js';
import { createChainPayouts } from './payout/payouts.factory.js';
import { SequenceAllocator } from './payout/sequence.allocator.js';

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
  /** Its pool and statements, for `Metrics.trackDatabase`. */
  database: DatabaseSource;
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
    database: databaseSource(orm),
    close: () => orm.close(true),
  };
}

export type {
  ChainPayout,
  FeeQuote,
  PayoutRequest,
  PayoutSource,
  PayoutState,
  PayoutStatus,
  SignedPayout,
} from './payout/payout.port.js';
export { PayoutError, type PayoutErrorCode } from './payout/payout.errors.js';
export { createChainPayouts, type ChainPayoutFactoryDeps } from './payout/payouts.factory.js';

/** What `openChainPayouts` returns: the payouts per network, and its own pool on the wallet schema. */
export interface ChainPayouts {
  payouts: Map<Network, ChainPayout>;
  /** A fresh EntityManager on the wallet schema (the caller's own bookkeeping may use it). */
  em(): EntityManager;
  /** Its pool and statements, for `Metrics.trackDatabase`. */
  database: DatabaseSource;
  /**
   * Sequence numbers handed out on (network, address) at or above `from` (pass the chain's `latest` nonce / seqno),
   * with the payout reference holding each: for nonce-gap metrics and for finding the payout a gap waits on.
   */
  outstandingSequences(
    network: Network,
    address: string,
    from: bigint,
  ): Promise<Array<{ sequence: bigint; reference: string }>>;
  close(): Promise<void>;
}

/**
 * Opens everything a payout needs in a process of its own (withdrawal broadcaster, treasury worker): the wallet
 * schema (migrated; the nonce/seqno tables and the custody roots live there), the master keyring from
 * WALLET_MASTER_KEYS, and one `ChainPayout` per configured network. Keys are derived per signature and wiped.
 */
export async function openChainPayouts(options: {
  config: {
    database: { url: string };
    wallet: { masterKeys: MasterKeySet };
    chains: ChainsConfig;
    payouts: PayoutsConfig;
  };
  log: Logger;
  poolMax?: number;
}): Promise<ChainPayouts> {
  const { config, log, poolMax = 4 } = options;
  await ensureDatabase(config.database.url);
  const orm = await openSubgraphDatabase({
    schema: 'wallet',
    url: config.database.url,
    poolMax,
    entities: [...walletEntities, ...depositEntities],
    migrations: walletMigrations,
    log,
  });
  const keyring = buildKeyring(config);
  try {
    await migrateSubgraph(orm, 'wallet');
  } catch (err) {
    keyring.destroy();
    await orm.close(true);
    throw err;
  }
  const em = () => orm.em.fork() as EntityManager;
  return {
    payouts: createChainPayouts({ em, keyring, chains: config.chains, payouts: config.payouts, log }),
    em,
    database: databaseSource(orm),
    outstandingSequences: (network, address, from) => new SequenceAllocator(em).outstanding(network, address, from),
    async close() {
      keyring.destroy();
      await orm.close(true);
    },
  };
}

export {
  createTreasury,
  type Treasury,
  type TreasuryOptions,
  type TreasuryRound,
} from './treasury/treasury.runtime.js';
export type { FloorAlert } from './treasury/treasury.service.js';
export {
  WithdrawalProcessor,
  type CrashPoint,
  type ProcessorObserver,
  type ProcessorSettings,
} from './withdrawal/withdrawal.processor.js';
export type { WithdrawalStatus } from './withdrawal/withdrawal.store.js';
