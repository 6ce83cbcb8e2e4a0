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

  /** Given name in Persian. */
  @Property({ type: 'text' })
  firstName!: string;

  /** Family name in Persian. */
  @Property({ type: 'text' })
  lastName!: string;

  /** کد ملی, 10 digits with a valid check digit. Never logged. */
  @Property({ type: 'text' })
  nationalId!: string;

  /** Gregorian `YYYY-MM-DD` (a Jalali date is converted on input). */
  @Property({ type: 'date', columnType: 'date' })
  birthDate!: string;

  /** The verified phone (E.164) at the time of submission. */
  @Property({ type: 'text' })
  phone!: string;

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
