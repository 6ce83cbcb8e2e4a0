import { BigIntType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

/**
 * CREDITED (matched to a user, credit event written) | UNMATCHED (parked for staff) → ASSIGNED (staff credited a
 * user with it). Unique per bank `refCode`: a line read twice (overlapping windows, pages) is stored once.
 */
export type BankCreditStatus = 'CREDITED' | 'UNMATCHED' | 'ASSIGNED';

@Entity({ tableName: 'bank_credit' })
export class BankCredit {
  [OptionalProps]?: 'createdAt' | 'userId' | 'matchedBy' | 'assignedBy' | 'depositId' | 'sourceCard' | 'sourceIban';

  @PrimaryKey({ type: 'text' })
  id: string = newId('bcr');

  @Property({ type: 'text' })
  refCode!: string;

  /** Toman. */
  @Property({ type: new BigIntType('bigint'), columnType: 'numeric(78,0)' })
  amount!: bigint;

  @Property({ type: 'timestamptz' })
  bookedAt!: Date;

  @Property({ type: 'text' })
  description!: string;

  @Property({ type: 'text', nullable: true })
  depositId: string | null = null;

  /** Masked sender card (BIN + last four) for card-to-card credits. */
  @Property({ type: 'text', nullable: true })
  sourceCard: string | null = null;

  @Property({ type: 'text', nullable: true })
  sourceIban: string | null = null;

  @Property({ type: 'text' })
  status!: BankCreditStatus;

  @Property({ type: 'text', nullable: true })
  userId: string | null = null;

  /** DEPOSIT_ID, CARD or STAFF. */
  @Property({ type: 'text', nullable: true })
  matchedBy: string | null = null;

  @Property({ type: 'text', nullable: true })
  assignedBy: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** Each user's personal deposit id (شناسه واریز): numeric, with a check digit, allocated once. */
@Entity({ tableName: 'deposit_code' })
export class DepositCode {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  code!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** Where the statement poller stands per platform account: the newest booking time read. */
@Entity({ tableName: 'statement_cursor' })
export class StatementCursor {
  @PrimaryKey({ type: 'text' })
  depositNumber!: string;

  @Property({ type: 'timestamptz' })
  readUntil!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
