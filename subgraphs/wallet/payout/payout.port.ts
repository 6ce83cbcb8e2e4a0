import type { Network } from '../../../chains/network.js';

/**
 * How money leaves a custody address on a chain: fee quote, sign, broadcast, follow. One implementation per
 * network lives beside this file; withdrawals (hot wallet → user), sweeps (deposit address → hot), gas top-ups
 * (hot → deposit address) and cold transfers (hot → cold) all go through it.
 *
 * Crash safety is the caller's contract: it stores the `SignedPayout` (hash + raw bytes + nonce) in the same
 * database transaction that moves its record to SIGNED, *before* `broadcast`; after a crash it re-broadcasts the
 * stored raw bytes (broadcast is idempotent: "already known" is success) and asks `status`, never signs anew
 * except through `replace` (same nonce, higher fee) for a stuck EVM transaction.
 */

/** Which custody key signs: a user's deposit address, or the platform's hot wallet (its own derivation branch). */
export type PayoutSource = { kind: 'deposit'; index: number } | { kind: 'hot' };

export interface PayoutRequest {
  network: Network;
  /** Catalogue symbol (platform/money/assets.ts), e.g. ETH, USDT_ETH, TON, USDT_TON, TRX, USDT_TRON. */
  asset: string;
  from: PayoutSource;
  /** Destination address, already validated for the network. */
  to: string;
  /** In the asset's minor unit, > 0. */
  amount: bigint;
  /** TON comment / memo; ignored where the chain has none. */
  memo?: string | null;
  /** Unique per payout (withdrawal id, sweep id…): logged, and used by backends that deduplicate (Exonyx). */
  reference: string;
}

export interface FeeQuote {
  network: Network;
  /** The native asset the fee is paid in (ETH, BNB, TRX, TON). */
  feeAsset: string;
  /** The most the payout can cost, in the fee asset's minor unit (gas limit × max fee; TRON fee limit; TON fees). */
  maxFee: bigint;
  /** What it is expected to cost at current prices (≤ maxFee). */
  expectedFee: bigint;
  /** The chain facts the quote rests on, for display and audit (gas, base fee, energy, forward fee…). */
  detail: Record<string, string>;
}

export interface SignedPayout {
  network: Network;
  reference: string;
  /** Sending address. */
  from: string;
  /** The hash the chain will report for this transaction. */
  txHash: string;
  /** The signed bytes to broadcast (hex for EVM, JSON for TRON, base64 BoC for TON). */
  raw: string;
  /** EVM nonce / TON seqno; null on TRON (its transactions carry a reference block and expiry instead). */
  sequence: bigint | null;
  /** Fee cap this signature allows, in the fee asset's minor unit. */
  maxFee: bigint;
  /** When the chain will certainly no longer accept it (TRON expiration, TON valid_until); null on EVM. */
  expiresAt: Date | null;
}

export type PayoutState =
  /** The chain does not know it (not yet seen, or dropped: safe to re-broadcast the same raw bytes). */
  | 'UNKNOWN'
  /** In the mempool or in a block with fewer confirmations than required. */
  | 'PENDING'
  /** Included, succeeded and final (enough confirmations). */
  | 'CONFIRMED'
  /** Included but reverted/failed (fee may still have been spent), or expired unsent: money did not move. */
  | 'FAILED';

export interface PayoutStatus {
  state: PayoutState;
  confirmations: number;
  /** Actual fee paid, in the fee asset's minor unit, once included. */
  fee: bigint | null;
  blockNumber: bigint | null;
}

export interface ChainPayout {
  readonly network: Network;
  quoteFee(request: PayoutRequest): Promise<FeeQuote>;
  /** Signs (allocating the EVM nonce / TON seqno durably); derives the key in memory and wipes it. */
  sign(request: PayoutRequest, quote: FeeQuote): Promise<SignedPayout>;
  /** Sends the stored raw bytes; idempotent (already known / already included = success). */
  broadcast(signed: SignedPayout): Promise<void>;
  status(signed: SignedPayout): Promise<PayoutStatus>;
  /** EVM only: the same nonce with a higher fee, for a transaction stuck past its timeout; null elsewhere. */
  replace(request: PayoutRequest, stuck: SignedPayout): Promise<SignedPayout | null>;
  /** The hot wallet's address on this network. */
  hotAddress(): Promise<string>;
}
