import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

/**
 * A bank card the user proved is theirs: FinnoTech's holder name equals their KYC name. The number itself is never
 * stored: only its mask (BIN + last four, as banks print it) and an HMAC for lookups (one card, one user).
 */
@Entity({ tableName: 'bank_card' })
export class BankCard {
  [OptionalProps]?: 'createdAt' | 'bankName';

  @PrimaryKey({ type: 'text' })
  id: string = newId('crd');

  @Property({ type: 'text' })
  userId!: string;

  /** HMAC-SHA256 of the number (payment card index key): unique, finds a card without decrypting anything. */
  @Property({ type: 'text' })
  cardIndex!: string;

  /**
   * The number itself, sealed (AES-256-GCM bound to this row): Paystar restricts a payment to it and the paying
   * card is compared with it. Never stored in the clear, never logged, never returned.
   */
  @Property({ type: 'text' })
  numberEnc!: string;

  /** `603799******1234`. */
  @Property({ type: 'text' })
  masked!: string;

  @Property({ type: 'text', nullable: true })
  bankName: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** An IBAN (شبا) whose owner, per FinnoTech's ibanInquiry, is the user (KYC name): where Toman withdrawals go. */
@Entity({ tableName: 'bank_account' })
export class BankAccount {
  [OptionalProps]?: 'createdAt' | 'bankName';

  @PrimaryKey({ type: 'text' })
  id: string = newId('iba');

  @Property({ type: 'text' })
  userId!: string;

  /** `IR` + 24 digits (unique: one account, one user). */
  @Property({ type: 'text' })
  iban!: string;

  /** The owner's first and last name as the bank has them (JSON), sealed: the transfer names them. */
  @Property({ type: 'text' })
  ownerEnc!: string;

  @Property({ type: 'text', nullable: true })
  bankName: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
