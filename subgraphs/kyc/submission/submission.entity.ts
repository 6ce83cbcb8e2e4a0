import { ArrayType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

export type KycTier = 'NONE' | 'BASIC' | 'FULL';
export type ApprovableTier = Exclude<KycTier, 'NONE'>;
export type SubmissionStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

export const TIER_RANK: Record<KycTier, number> = { NONE: 0, BASIC: 1, FULL: 2 };

/**
 * One request for a tier, with the personal data and documents it rests on. It moves once: PENDING →
 * APPROVED or REJECTED (the database refuses a decided row without its decision time, and a reviewer who is
 * the applicant); after a rejection the user submits a new one.
 */
@Entity({ tableName: 'kyc_submission' })
export class KycSubmission {
  [OptionalProps]?:
    'status' | 'createdAt' | 'version' | 'approvedTier' | 'reviewerId' | 'note' | 'reason' | 'decidedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('kyc');

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  tierRequested!: ApprovableTier;

  @Property({ type: 'text' })
  status: SubmissionStatus = 'PENDING';

  /**
   * Names, national ID (کد ملی), birth date (Gregorian YYYY-MM-DD) and the verified phone at the time: each
   * AES-256-GCM ciphertext bound to this row and field (`personal-data.ts`); never stored or logged in the clear.
   */
  @Property({ type: 'text' })
  firstNameEnc!: string;

  @Property({ type: 'text' })
  lastNameEnc!: string;

  @Property({ type: 'text' })
  nationalIdEnc!: string;

  @Property({ type: 'text' })
  birthDateEnc!: string;

  @Property({ type: 'text' })
  phoneEnc!: string;

  /** HMAC-SHA256 of the national ID with the blind-index key: finds equal IDs without decrypting. */
  @Property({ type: 'text' })
  nationalIdIndex!: string;

  @Property({ type: ArrayType, columnType: 'text[]' })
  documentIds!: string[];

  @Property({ type: 'text', nullable: true })
  approvedTier: ApprovableTier | null = null;

  @Property({ type: 'text', nullable: true })
  reviewerId: string | null = null;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null = null;

  @Property({ type: 'integer', version: true })
  version = 1;
}

/** The audit trail: one row per decision, append-only (a trigger refuses UPDATE and DELETE). */
@Entity({ tableName: 'kyc_decision' })
export class KycDecision {
  [OptionalProps]?: 'decidedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('kyd');

  @Property({ type: 'text' })
  submissionId!: string;

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  reviewerId!: string;

  @Property({ type: 'text' })
  decision!: 'APPROVED' | 'REJECTED';

  @Property({ type: 'text', nullable: true })
  tier: ApprovableTier | null = null;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Property({ type: 'timestamptz' })
  decidedAt: Date = new Date();
}
