import { BigIntType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

/**
 * (The table also has `payout_number`, a generated identity: FinnoTech's paymentNumber, digits only, naming the
 * payout on the bank statement.)
 *
 * REQUESTED (hold asked of the ledger) → PENDING_APPROVAL (above the threshold) → APPROVED → SENDING (trackId
 * stored, transfer asked of the bank) → DONE | FAILED (hold released); REQUESTED → REJECTED (the ledger refused
 * the hold: funds, limits, freeze); PENDING_APPROVAL → CANCELLED (an approver declined; hold released).
 * States never move backwards: every update is a compare-and-set from the one state it may leave.
 */
export type FiatWithdrawalStatus =
  'REQUESTED' | 'REJECTED' | 'PENDING_APPROVAL' | 'CANCELLED' | 'APPROVED' | 'SENDING' | 'DONE' | 'FAILED';

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
