import type { Network } from '../../../chains/network.js';

/**
 * What the wallet publishes about withdrawals (contracts in the wallet README). `requested`, `completed` and
 * `failed` drive the ledger's hold (place, capture, release); `changed` is published on every transition
 * (live updates, audit consumers).
 */
export const WithdrawalEvents = {
  requested: 'wallet.withdrawal.requested',
  changed: 'wallet.withdrawal.changed',
  completed: 'wallet.withdrawal.completed',
  failed: 'wallet.withdrawal.failed',
} as const;

/** Amounts are integers in the asset's minor unit, as decimal strings. */
export interface WithdrawalRequestedPayload {
  withdrawalId: string;
  userId: string;
  network: Network;
  asset: string;
  amount: string;
  fee: string;
  expiresAt: null;
  /** Set when the destination is another user's deposit address: the ledger moves the amount user to user. */
  recipientUserId: string | null;
}

export interface WithdrawalChangedPayload {
  withdrawalId: string;
  userId: string;
  network: Network;
  asset: string;
  from: string | null;
  status: string;
  /** What the user withdraws, in minor units of `asset` (the notifier's message). */
  amount: string;
}

export interface WithdrawalCompletedPayload {
  withdrawalId: string;
  network: Network;
  asset: string;
  amount: string;
  /** What the user paid for the network, in `asset`. */
  fee: string;
  /** What the chain actually charged, in the network's native asset. */
  networkFee: { asset: string; amount: string };
  txHash: string | null;
}

export interface WithdrawalFailedPayload {
  withdrawalId: string;
  /** The status that ended it: FAILED, CANCELLED or REJECTED. */
  reason: string;
}

/** The ledger's answers the wallet consumes (ledger README). */
export const LedgerHoldEvents = {
  placed: 'ledger.hold.placed',
  rejected: 'ledger.hold.rejected',
  settled: 'ledger.withdrawal.settled',
} as const;
