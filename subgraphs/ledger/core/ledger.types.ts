/** What the ledger knows how to record; the kinds a transaction can have. */
export const TRANSACTION_KINDS = [
  'DEPOSIT',
  'WITHDRAWAL',
  'TRANSFER',
  'BUY',
  'SELL',
  'SWAP',
  'FEE',
  'REVERSAL',
  'ADJUSTMENT',
  'ACCOUNT_RECOVERY',
] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** One movement of `amount` (minor units, > 0) of `asset` from `source` to `destination`. */
export interface Posting {
  source: string;
  destination: string;
  asset: string;
  amount: bigint;
}

export interface IdempotencyClaim {
  /** Who the key belongs to and for which operation, e.g. `transfer:usr_…`. */
  scope: string;
  key: string;
  /** sha256 (hex) of the canonical request: same key + another hash → CONFLICT. */
  requestHash: string;
}

/** A transaction to commit: its headline (kind, asset, amount, fee, parties) and its postings. */
export interface TransactionDraft {
  kind: TransactionKind;
  asset: string;
  amount: bigint;
  fee: bigint;
  /** The user the transaction is about (the sender, depositor, adjusted user…). */
  userId: string | null;
  /** The other user of a transfer. Every user account a posting touches belongs to userId or counterpartyId. */
  counterpartyId: string | null;
  reference: string | null;
  note: string | null;
  /** Who caused it: a user id, an admin id, or `system:<consumer>`. */
  actor: string | null;
  reason: string | null;
  reverses: string | null;
  holdId: string | null;
  postings: Posting[];
  idempotency: IdempotencyClaim | null;
  /** Counts `amount` against userId's daily cap for `asset`; refused (LIMIT_EXCEEDED) above it. */
  dailyLimit: { cap: bigint; amount: bigint } | null;
  /**
   * Counts `value` (reference-currency minor units) against userId's level caps (null = none); refused
   * (LIMIT_EXCEEDED, scope LEVEL) above one; recorded in ledger.limit_usage when committed.
   */
  levelLimit: LevelLimitClaim | null;
}

export interface LevelLimitClaim {
  value: bigint;
  currency: string;
  level: number;
  perTransaction: bigint | null;
  daily: bigint | null;
  monthly: bigint | null;
}

export type CommitOutcome =
  | { outcome: 'COMMITTED'; transactionId: string; replayed: boolean }
  | {
      outcome: 'INSUFFICIENT_FUNDS';
      account: string;
      asset: string;
      balance: string;
      needed: string;
      replayed: boolean;
    }
  | {
      outcome: 'LIMIT_EXCEEDED';
      /** DAY: the per-asset daily cap (commit_batch); with scope LEVEL: a level limit (TRANSACTION, DAILY, MONTHLY). */
      period: string;
      limit: string;
      used: string;
      scope?: 'LEVEL';
      remaining?: string;
      currency?: string;
      level?: number;
      replayed: boolean;
    }
  | { outcome: 'CONFLICT' };

export function draft(
  fields: Pick<TransactionDraft, 'kind' | 'asset' | 'amount' | 'postings'> & Partial<TransactionDraft>,
): TransactionDraft {
  return {
    fee: 0n,
    userId: null,
    counterpartyId: null,
    reference: null,
    note: null,
    actor: null,
    reason: null,
    reverses: null,
    holdId: null,
    idempotency: null,
    dailyLimit: null,
    levelLimit: null,
    ...fields,
  };
}

/** What the ledger publishes: every commit, and its answers to the money events it consumes. */
export const LedgerEvents = {
  transactionCommitted: 'ledger.transaction.committed',
  holdPlaced: 'ledger.hold.placed',
  holdRejected: 'ledger.hold.rejected',
  postingRejected: 'ledger.posting.rejected',
  /** A reorged deposit the user had already spent: the shortfall is now their debt. */
  debtRecorded: 'ledger.debt.recorded',
  /** An internal withdrawal (to another user's deposit address) was posted user to user. */
  withdrawalSettled: 'ledger.withdrawal.settled',
} as const;
