import type { Network } from '../../../chains/network.js';

export type PayoutErrorCode =
  /** The request cannot be paid on this network (unknown asset, wrong network, bad quote). Not retryable. */
  | 'PAYOUT_INVALID'
  /** The chain says the transfer would fail (revert in the gas estimate, insufficient balance). */
  | 'PAYOUT_WOULD_FAIL'
  /** The chain refused the signed transaction for good (nonce used by another transaction, bad signature…). */
  | 'PAYOUT_REJECTED'
  /** The sequence number the payout holds was consumed by another transaction (a replaced sibling was mined). */
  | 'PAYOUT_SEQUENCE_USED'
  /** The TON wallet's seqno is taken by a message that may still land; retry after it. */
  | 'PAYOUT_SEQUENCE_BUSY';

/** A payout refused by the chain or by the rules of this layer, with a stable code the caller can act on. */
export class PayoutError extends Error {
  constructor(
    readonly code: PayoutErrorCode,
    readonly network: Network,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${network} payout: ${message}`, options);
    this.name = 'PayoutError';
  }
}
