/** Events of account recovery, published through the kyc outbox. No phone number, no code. */
export const RecoveryEvents = {
  requested: 'kyc.recovery.requested',
  approved: 'kyc.recovery.approved',
  rejected: 'kyc.recovery.rejected',
} as const;

export interface RecoveryRequestedPayload {
  recoveryId: string;
  oldUserId: string;
  newUserId: string;
}

/**
 * identity's recovery consumer moves the Telegram id of `newUserId` (read from its own row: kyc holds no
 * Telegram ids) to `oldUserId`, retires `newUserId` and revokes every session of both.
 */
export interface RecoveryApprovedPayload {
  recoveryId: string;
  oldUserId: string;
  newUserId: string;
}

export type RecoveryRejectedPayload = RecoveryRequestedPayload;
