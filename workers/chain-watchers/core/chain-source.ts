import type { Network } from '../../../platform/money/assets.js';
import type { ScannedBlock } from '../../../subgraphs/wallet/deposit/deposit.ingest.js';
import type { ChainIdentity } from './chain-identity.js';

export type { ScannedBlock };

/**
 * What a watcher needs from a chain, whatever its RPC: the head, block hashes by height and the transfers
 * (native coin and the network's USDT) of a range of blocks. Implementations normalize addresses to the
 * form the wallet stores and hashes to lower-case hex, and fail (throw) on anything they cannot vouch for;
 * the watcher logs, backs off and asks again.
 */
export interface ChainSource {
  readonly network: Network;
  /**
   * Which chain the endpoint serves (chain id, first block); throws ChainIdentityError when it is not the pinned
   * one. The watcher asks at start-up, after every failure (a reconnect) and periodically.
   */
  verify(): Promise<ChainIdentity>;
  /** The highest block the node serves. */
  head(): Promise<bigint>;
  /** The canonical hash and parent hash at each height, or null where the node has no block (yet). */
  blockHashes(heights: readonly bigint[]): Promise<Array<{ hash: string; parentHash: string } | null>>;
  /** Blocks [from, to] in order with their transfers; fewer (a prefix) when the node has fewer. */
  scan(from: bigint, to: bigint): Promise<ScannedBlock[]>;
  /** Accepts a lower head after the node went backwards for good (a restarted devnet chain). */
  resetHead(): void;
  /** Whether `head()` failed because the node reported a head below one it reported before. */
  isHeadRegression(err: unknown): boolean;
}

/** The node answered something inconsistent within one scan (e.g. a log from another block hash): try again. */
export class ChainMovedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainMovedError';
  }
}
