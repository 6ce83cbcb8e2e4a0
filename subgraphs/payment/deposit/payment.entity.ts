import { BigIntType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

/**
 * INIT (Paystar session created, the user is paying) → CALLBACK_RECEIVED (the browser came back) → VERIFYING
 * (one caller won the compare-and-set and calls Paystar's verify) → PAID (verified, checks passed, credit event
 * written in the same transaction) | REFUSED (paid with another card or amount: not verified, or verified and
 * parked for staff) | FAILED (cancelled, unpaid, expired, verify refused). States never move backwards.
 */
export type PaymentStatus = 'INIT' | 'CALLBACK_RECEIVED' | 'VERIFYING' | 'PAID' | 'REFUSED' | 'FAILED';

export const PAYMENT_FINAL: readonly PaymentStatus[] = ['PAID', 'REFUSED', 'FAILED'];

/** A Toman card payment through Paystar's gateway (IPG). */
@Entity({ tableName: 'payment' })
export class Payment {
  [OptionalProps]?:
    | 'status'
    | 'createdAt'
    | 'updatedAt'
    | 'token'
    | 'paymentUrl'
    | 'refNum'
    | 'trackingCode'
    | 'paidCard'
    | 'failureReason'
    | 'verifiedAt'
    | 'claimedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('pay');

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  cardId!: string;

  /** Toman. */
  @Property({ type: new BigIntType('bigint'), columnType: 'numeric(78,0)' })
  amount!: bigint;

  @Property({ type: 'text' })
  status: PaymentStatus = 'INIT';

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'text' })
  requestHash!: string;

  @Property({ type: 'text', nullable: true })
  token: string | null = null;

  /** Where the user's browser is sent to pay (Paystar's page with the token). */
  @Property({ type: 'text', nullable: true })
  paymentUrl: string | null = null;

  @Property({ type: 'text', nullable: true })
  refNum: string | null = null;

  @Property({ type: 'text', nullable: true })
  trackingCode: string | null = null;

  /** The paying card as Paystar reported it (masked). */
  @Property({ type: 'text', nullable: true })
  paidCard: string | null = null;

  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  verifiedAt: Date | null = null;

  /** When VERIFYING was claimed: the reconciler takes over a claim older than its grace period. */
  @Property({ type: 'timestamptz', nullable: true })
  claimedAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
