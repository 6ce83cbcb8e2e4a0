import type { ApprovableTier } from './submission.entity.js';

/**
 * Events the kyc subgraph publishes through its outbox. Payloads carry keys and the decision; the approval also
 * carries the approved first and last name (the payment subgraph's bank-holder check), a verified phone its number
 * (the wallet's withdrawal-address confirmation), no other personal data.
 */
export const KycEvents = {
  submitted: 'kyc.submission.submitted',
  approved: 'kyc.submission.approved',
  rejected: 'kyc.submission.rejected',
  phoneVerified: 'kyc.phone.verified',
} as const;

export interface SubmissionSubmittedPayload {
  submissionId: string;
  userId: string;
  tierRequested: ApprovableTier;
}

/**
 * identity's level consumer reads `{ userId, tier }` and sets the user's tier to `tier`: it is the user's tier
 * after this approval (the highest they were ever approved for), so a later approval for a lower tier never
 * lowers it.
 */
export interface SubmissionApprovedPayload {
  submissionId: string;
  userId: string;
  tier: ApprovableTier;
  approvedTier: ApprovableTier;
  /**
   * The approved names: the payment subgraph compares bank card and IBAN holders with them (it seals its copy).
   * The only personal data on the bus: readable by the NATS users granted this subject (identity, payment, and the
   * gateway, which forwards keys only).
   */
  holderName: { firstName: string; lastName: string };
}

export interface SubmissionRejectedPayload {
  submissionId: string;
  userId: string;
}

/**
 * A number the user proved (E.164). The wallet subgraph (durable `wallet-verified-phones`) keeps it sealed and sends
 * the one-time codes that confirm new withdrawal addresses to it. Personal data on the bus: only the NATS user
 * `wallet` is granted this subject.
 */
export interface PhoneVerifiedPayload {
  userId: string;
  phone: string;
}
