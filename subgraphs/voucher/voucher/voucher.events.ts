/**
 * What the voucher subgraph publishes (outbox → JetStream; the ledger applies the money ones exactly once):
 * - `voucher.purchase.requested` `{ purchaseId, userId, asset, amount }`: hold `amount` (minor units of `asset`)
 *   of the user's available balance, reference `voucher:<purchaseId>`; the ledger answers `ledger.hold.placed` or
 *   `ledger.hold.rejected` with that reference;
 * - `voucher.purchase.completed` `{ purchaseId, userId, asset, amount }`: the provider sold us the voucher: capture
 *   the hold to `exchange:<asset>` (the platform's inventory paid the provider);
 * - `voucher.purchase.failed` `{ purchaseId }`: nothing was bought (a refusal, or a lookup that found nothing):
 *   release the hold;
 * - `voucher.redemption.confirmed` `{ redemptionId, userId, asset, amount }`: the provider credited the platform's
 *   account: credit the user `exchange:<asset>` → available, reference `voucher-redemption:<redemptionId>`.
 * No event carries a voucher code.
 */
export const VoucherEvents = {
  purchaseRequested: 'voucher.purchase.requested',
  purchaseCompleted: 'voucher.purchase.completed',
  purchaseFailed: 'voucher.purchase.failed',
  redemptionConfirmed: 'voucher.redemption.confirmed',
} as const;

/** The ledger's answers to a purchase's hold request, consumed by voucher-hold-outcomes. */
export const HOLD_OUTCOME_SUBJECTS = ['ledger.hold.placed', 'ledger.hold.rejected'] as const;
export const HOLD_OUTCOMES_CONSUMER = 'voucher-hold-outcomes';
export const HOLD_REFERENCE_PREFIX = 'voucher:';
