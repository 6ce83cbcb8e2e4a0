import type { Network } from '../../../chains/network.js';

/**
 * Events of the deposit lifecycle, written to the wallet outbox in the same transaction as the change.
 * Every status change has its own subject (the gateway's `depositUpdated` listens to all of them);
 * `wallet.deposit.confirmed` is also the ledger's credit request, and `wallet.deposit.reorged` its
 * reversal request when the deposit had been sent for credit.
 */
export const DepositEvents = {
  detected: 'wallet.deposit.detected',
  confirming: 'wallet.deposit.confirming',
  confirmed: 'wallet.deposit.confirmed',
  credited: 'wallet.deposit.credited',
  reorged: 'wallet.deposit.reorged',
  ignored: 'wallet.deposit.ignored',
} as const;

export const WithdrawalFreezeEvents = {
  frozen: 'wallet.withdrawals.frozen',
  unfrozen: 'wallet.withdrawals.unfrozen',
} as const;

export type DepositStatus = 'DETECTED' | 'CONFIRMING' | 'CREDITED' | 'REORGED' | 'IGNORED';

/** Keys and public facts of one deposit; amounts are integers in the asset's minor unit, as strings. */
export interface DepositEventPayload {
  depositId: string;
  userId: string;
  network: Network;
  asset: string;
  amount: string;
  txHash: string;
  outputIndex: number;
  status: DepositStatus;
}

/** The ledger's credit request (its postings consumer parses exactly these fields). */
export type DepositConfirmedPayload = DepositEventPayload;

export interface DepositReorgedPayload extends DepositEventPayload {
  /** The wallet.deposit.confirmed event id when the credit had been requested; null when it never was. */
  confirmEventId: string | null;
  /** The ledger DEPOSIT transaction, when its credit had been linked already. */
  transactionId: string | null;
}

export interface DepositCreditedPayload extends DepositEventPayload {
  transactionId: string;
}

export interface WithdrawalsFrozenPayload {
  userId: string;
  reason: string;
  depositId: string;
}

export interface WithdrawalsUnfrozenPayload {
  userId: string;
  /** The deposit whose reorg froze them, when known. */
  depositId: string | null;
  /** The staff member (user id) who lifted the freeze, and why. */
  liftedBy: string;
  note: string;
}
