import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

/** FAILED: approved, but identity refused to apply it (identity.user.recovery-refused). */
export type RecoveryStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'FAILED';

/** A code sent to a number for a recovery, asked by the new account: only its hash is kept. */
@Entity({ tableName: 'recovery_code' })
export class RecoveryCode {
  [OptionalProps]?: 'attempts' | 'lockedAt' | 'consumedAt' | 'createdAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('rco');

  /** The signed-in (new) account that asked. */
  @Property({ type: 'text' })
  requesterId!: string;

  @Property({ type: 'text' })
  phone!: string;

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

/** A request to move the account that owns a verified number to a new Telegram account. Decided once. */
@Entity({ tableName: 'account_recovery' })
export class AccountRecovery {
  [OptionalProps]?: 'status' | 'reviewerId' | 'note' | 'reason' | 'createdAt' | 'decidedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('rec');

  /** The account that owns the verified number (the one being recovered). */
  @Property({ type: 'text' })
  oldUserId!: string;

  /** The empty account of the new Telegram id, which asked. */
  @Property({ type: 'text' })
  newUserId!: string;

  /** E.164; never logged. */
  @Property({ type: 'text' })
  phone!: string;

  @Property({ type: 'text' })
  status: RecoveryStatus = 'PENDING';

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
}

/** The audit trail of recoveries: who asked, who decided, append-only (a trigger refuses UPDATE and DELETE). */
@Entity({ tableName: 'account_recovery_audit' })
export class AccountRecoveryAudit {
  [OptionalProps]?: 'at' | 'note';

  @PrimaryKey({ type: 'text' })
  id: string = newId('rca');

  @Property({ type: 'text' })
  recoveryId!: string;

  @Property({ type: 'text' })
  action!: 'REQUESTED' | RecoveryStatus;

  @Property({ type: 'text' })
  actorId!: string;

  @Property({ type: 'text' })
  oldUserId!: string;

  @Property({ type: 'text' })
  newUserId!: string;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Property({ type: 'timestamptz' })
  at: Date = new Date();
}
