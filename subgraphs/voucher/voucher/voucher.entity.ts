import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';
import type { VoucherCurrency, VoucherType } from '../../../providers/vouchers/index.js';

export type VoucherDirection = 'BUY' | 'REDEEM';

/**
 * Internal states. Buying: HOLD_REQUESTED (the ledger is asked to hold the price) → HELD → CREATING (recorded before
 * the provider is called) → COMPLETED (code sealed, hold captured) | FAILED (nothing bought, hold released) |
 * UNKNOWN (the provider's answer was lost and its lookup could not tell: the hold stays, staff decide). Redeeming:
 * REDEEMING (recorded before the call) → CONFIRMED (credited once) | PENDING (polled) | REJECTED | UNKNOWN.
 */
export type VoucherStatus =
  | 'HOLD_REQUESTED'
  | 'HELD'
  | 'CREATING'
  | 'COMPLETED'
  | 'FAILED'
  | 'UNKNOWN'
  | 'REDEEMING'
  | 'PENDING'
  | 'CONFIRMED'
  | 'REJECTED';

@Entity({ tableName: 'voucher' })
export class Voucher {
  [OptionalProps]?:
    'createdAt' | 'updatedAt' | 'settledAt' | 'codeSealed' | 'codeFingerprint' | 'providerReference' | 'reason';

  @PrimaryKey({ type: 'text' })
  id: string = newId('vch');

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  type!: VoucherType;

  @Property({ type: 'text' })
  direction!: VoucherDirection;

  @Property({ type: 'text' })
  status!: VoucherStatus;

  @Property({ type: 'text' })
  faceCurrency!: VoucherCurrency;

  /** Minor units of the face currency; for a redemption, known once the provider confirms. */
  @Property({ type: 'decimal', precision: 78, scale: 0, nullable: true })
  faceAmount!: string | null;

  /** The asset paid (BUY) or credited (REDEEM). */
  @Property({ type: 'text' })
  asset!: string;

  @Property({ type: 'decimal', precision: 78, scale: 0, nullable: true })
  assetAmount!: string | null;

  @Property({ type: 'text' })
  rateId!: string;

  @Property({ type: 'text' })
  ratePrice!: string;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'text' })
  requestHash!: string;

  /** Envelope-encrypted code (platform/crypto/sealed-field.ts); never logged, shown only through revealVoucherCode. */
  @Property({ type: 'text', nullable: true })
  codeSealed: string | null = null;

  @Property({ type: 'text', nullable: true })
  codeFingerprint: string | null = null;

  @Property({ type: 'text' })
  provider!: string;

  @Property({ type: 'text', nullable: true })
  providerReference: string | null = null;

  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  settledAt: Date | null = null;
}

@Entity({ tableName: 'voucher_reveal' })
export class VoucherReveal {
  [OptionalProps]?: 'revealedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('vrv');

  @Property({ type: 'text' })
  voucherId!: string;

  @Property({ type: 'text' })
  viewerId!: string;

  @Property({ type: 'text' })
  requestId!: string;

  @Property({ type: 'timestamptz' })
  revealedAt: Date = new Date();
}
