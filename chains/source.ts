import type { ChainIdentity } from './chain-identity.js';
import type { Network } from './network.js';

/** One transfer of a native coin or USDT seen on chain, to any address (the ingest keeps ours). */
export interface ChainTransfer {
  /** Catalogue symbol (ETH, USDT_ETH, TRX, …). */
  asset: string;
  txHash: string;
  /** 0 for a native transfer; the log / message index for a token transfer. Unique within the transaction. */
  outputIndex: number;
  from: string;
  /** In the form wallet.wallet stores (EIP-55, base58 T…, TON non-bounceable UQ…). */
  to: string;
  /** Minor units. */
  amount: bigint;
}

/** A block (masterchain block for TON) as a watcher read it. */
export interface ScannedBlock {
  height: bigint;
  hash: string;
  parentHash: string;
  /** Transactions the block carries (scan-rate metrics). */
  transactions: number;
  transfers: ChainTransfer[];
}

/** The last block ingested: every block up to it is linked by parent hash. */
export interface CursorState {
  height: bigint;
  hash: string;
}

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
