/** Events the payment subgraph publishes through its outbox (contracts in README and the ledger's README). */
export const PaymentEvents = {
  /** Toman arrived for a user (verified Paystar payment or a matched bank statement credit): the ledger credits it. */
  depositReceived: 'payment.deposit.received',
  /** A withdrawal asks the ledger to hold its amount; the ledger answers ledger.hold.placed / ledger.hold.rejected. */
  withdrawalRequested: 'payment.withdrawal.requested',
  /** The bank transfer is DONE: the ledger captures the hold. */
  withdrawalCompleted: 'payment.withdrawal.completed',
  /** The transfer FAILED or an approver cancelled it: the ledger releases the hold. */
  withdrawalFailed: 'payment.withdrawal.failed',
  /** Any status change of a withdrawal (keys only): the gateway's fiatWithdrawalUpdated subscription. */
  withdrawalUpdated: 'payment.withdrawal.updated',
  /** A card payment was created (keys only), before Paystar is asked: support's link directory learns its owner. */
  cardPaymentStarted: 'payment.card-payment.started',
} as const;

export const SOURCE = 'payment';

/** `reference` is `paystar:<paymentId>` or `bank:<refCode>`: the ledger credits each reference once. */
export interface DepositReceivedPayload {
  reference: string;
  userId: string;
  /** Toman (IRT, 0 decimals), decimal string. */
  amount: string;
  channel: 'PAYSTAR' | 'BANK_TRANSFER';
}

export interface WithdrawalRequestedPayload {
  withdrawalId: string;
  userId: string;
  amount: string;
}

export interface WithdrawalCompletedPayload {
  withdrawalId: string;
  amount: string;
}

export interface WithdrawalFailedPayload {
  withdrawalId: string;
}

export interface WithdrawalUpdatedPayload {
  withdrawalId: string;
  userId: string;
  status: string;
}

export interface CardPaymentStartedPayload {
  paymentId: string;
  userId: string;
}

/** The ledger's hold reference for a Toman withdrawal. */
export const holdReference = (withdrawalId: string) => `fiat-withdrawal:${withdrawalId}`;
