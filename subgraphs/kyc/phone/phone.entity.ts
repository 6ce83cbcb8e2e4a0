import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

/** The phone a user proved they hold. One number belongs to one user, and one user has one number. */
@Entity({ tableName: 'verified_phone' })
export class VerifiedPhone {
  [OptionalProps]?: 'verifiedAt';

  /** E.164 (`+989121234567`). */
  @PrimaryKey({ type: 'text' })
  phone!: string;

  @Property({ type: 'text', unique: true })
  userId!: string;

  @Property({ type: 'timestamptz' })
  verifiedAt: Date = new Date();
}

/** A code sent to a number: only its hash is kept, with its expiry and the wrong guesses made against it. */
@Entity({ tableName: 'verification_code' })
export class VerificationCode {
  [OptionalProps]?: 'attempts' | 'lockedAt' | 'consumedAt' | 'createdAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('otp');

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  phone!: string;

  /** HMAC-SHA256 of the code, keyed with this row's id and the user: never the code. */
  @Property({ type: 'text' })
  codeHash!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'timestamptz', nullable: true })
  lockedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  consumedAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
