import { BigIntType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

/**
 * REQUESTED (hold asked of the ledger) → HELD_PENDING_APPROVAL (above the threshold) → APPROVED → SENDING (trackId
 * stored, transfer asked of the bank) → DONE | FAILED (hold released); REQUESTED → REJECTED (the ledger refused
 * the hold: funds, limits, freeze); HELD_PENDING_APPROVAL → CANCELLED (an approver declined; hold released).
 * The rank below only grows: every update is a compare-and-set from the expected state.
 */
export type FiatWithdrawalStatus =
  'REQUESTED' | 'REJECTED' | 'PENDING_APPROVAL' | 'CANCELLED' | 'APPROVED' | 'SENDING' | 'DONE' | 'FAILED';

export const WITHDRAWAL_RANK: Record<FiatWithdrawalStatus, number> = {
  REQUESTED: 0,
  PENDING_APPROVAL: 1,
  APPROVED: 2,
  SENDING: 3,
  REJECTED: 9,
  CANCELLED: 9,
  DONE: 9,
  FAILED: 9,
};

@Entity({ tableName: 'fiat_withdrawal' })
export class FiatWithdrawal {
  [OptionalProps]?:
    | 'status'
    | 'createdAt'
    | 'updatedAt'
    | 'trackId'
    | 'bankRef'
    | 'failureCode'
    | 'failureReason'
    | 'approverId'
    | 'sentAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('fwd');

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  bankAccountId!: string;

  /** Toman. */
  @Property({ type: new BigIntType('bigint'), columnType: 'numeric(78,0)' })
  amount!: bigint;

  @Property({ type: 'text' })
  status: FiatWithdrawalStatus = 'REQUESTED';

  @Property({ type: 'boolean' })
  needsApproval!: boolean;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'text' })
  requestHash!: string;

  /** FinnoTech's trackId of the one transfer: stored before the call, never reused, unique. */
  @Property({ type: 'text', nullable: true })
  trackId: string | null = null;

  @Property({ type: 'text', nullable: true })
  bankRef: string | null = null;

  @Property({ type: 'text', nullable: true })
  failureCode: string | null = null;

  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Property({ type: 'text', nullable: true })
  approverId: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  sentAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
