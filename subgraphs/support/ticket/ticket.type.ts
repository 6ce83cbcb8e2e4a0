import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../../platform/graphql/page-info.js';
import type { Ticket, TicketMessage } from './ticket.entity.js';

export enum TicketStatusEnum {
  OPEN = 'OPEN',
  WAITING_ON_STAFF = 'WAITING_ON_STAFF',
  WAITING_ON_USER = 'WAITING_ON_USER',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
}
registerEnumType(TicketStatusEnum, {
  name: 'TicketStatus',
  valuesConfig: {
    OPEN: { description: 'New: waiting for its first staff answer.' },
    WAITING_ON_STAFF: { description: 'The user replied: waiting for staff.' },
    WAITING_ON_USER: { description: 'Staff answered: waiting for the user.' },
    RESOLVED: { description: 'Staff resolved it; a user reply within the reopen window opens it again.' },
    CLOSED: { description: 'Closed for good: takes no replies.' },
  },
});

export enum TicketCategoryEnum {
  GENERAL = 'GENERAL',
  ACCOUNT = 'ACCOUNT',
  KYC = 'KYC',
  DEPOSIT = 'DEPOSIT',
  WITHDRAWAL = 'WITHDRAWAL',
  TRADING = 'TRADING',
  PAYMENT = 'PAYMENT',
  VOUCHER = 'VOUCHER',
}
registerEnumType(TicketCategoryEnum, { name: 'TicketCategory' });

export enum TicketLinkKindEnum {
  DEPOSIT = 'DEPOSIT',
  WITHDRAWAL = 'WITHDRAWAL',
  TRANSACTION = 'TRANSACTION',
  ORDER = 'ORDER',
  VOUCHER = 'VOUCHER',
  PAYMENT = 'PAYMENT',
}
registerEnumType(TicketLinkKindEnum, { name: 'TicketLinkKind' });

export enum MessageAuthorEnum {
  USER = 'USER',
  STAFF = 'STAFF',
}
registerEnumType(MessageAuthorEnum, { name: 'TicketMessageAuthor' });

@InputType('TicketLinkInput')
export class TicketLinkInput {
  @Field(() => TicketLinkKindEnum)
  kind!: TicketLinkKindEnum;

  @Field(() => ID, { description: 'The id of your deposit, transaction, withdrawal, order, voucher or payment.' })
  id!: string;
}

@InputType('OpenTicketInput')
export class OpenTicketInput {
  @Field(() => String, { description: 'Plain text, 1–200 characters.' })
  subject!: string;

  @Field(() => String, { description: 'Plain text, 1–20,000 characters; never rendered as HTML or Markdown.' })
  body!: string;

  @Field(() => TicketCategoryEnum, { defaultValue: TicketCategoryEnum.GENERAL })
  category!: TicketCategoryEnum;

  @Field(() => [TicketLinkInput], {
    defaultValue: [],
    description: 'What the ticket is about: one per kind, each your own (else NOT_FOUND).',
  })
  links!: TicketLinkInput[];
}

@InputType('TicketQueueFilter')
export class TicketQueueFilter {
  @Field(() => TicketStatusEnum, { nullable: true })
  status?: TicketStatusEnum | null;

  @Field(() => TicketCategoryEnum, { nullable: true })
  category?: TicketCategoryEnum | null;

  @Field(() => ID, { nullable: true })
  assigneeId?: string | null;

  @Field(() => Boolean, { defaultValue: false, description: 'Only tickets nobody is assigned to.' })
  unassigned!: boolean;

  @Field(() => Boolean, {
    defaultValue: true,
    description:
      'Only tickets waiting for staff (OPEN, WAITING_ON_STAFF), longest waiting first. False: all, newest first.',
  })
  waitingOnStaff!: boolean;
}

@ObjectType('TicketLink')
export class TicketLinkType {
  @Field(() => TicketLinkKindEnum)
  kind!: TicketLinkKindEnum;

  @Field(() => ID)
  id!: string;
}

@ObjectType('TicketMessage', { description: 'One message of a ticket: plain text, shown as text only.' })
export class TicketMessageType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  body!: string;

  @Field(() => MessageAuthorEnum)
  author!: MessageAuthorEnum;

  @Field(() => ID, { nullable: true, description: 'Support staff only: who wrote it.' })
  authorId!: string | null;

  @Field(() => Boolean, { description: 'A staff-only note (only staff ever see these).' })
  internal!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  static from(row: TicketMessage, staff: boolean): TicketMessageType {
    return Object.assign(new TicketMessageType(), {
      id: row.id,
      body: row.body,
      author: row.authorRole as MessageAuthorEnum,
      authorId: staff ? row.authorId : null,
      internal: row.internal,
      createdAt: row.createdAt,
    });
  }
}

/** The wallet subgraph's Deposit, referenced by its key. */
@ObjectType('Deposit')
@Directive('@key(fields: "id", resolvable: false)')
export class DepositRef {
  @Field(() => ID)
  id!: string;
}

/** The ledger's Transaction, referenced by its key. */
@ObjectType('Transaction')
@Directive('@key(fields: "id", resolvable: false)')
export class TransactionRef {
  @Field(() => ID)
  id!: string;
}

/** The wallet's crypto Withdrawal, referenced by its key. */
@ObjectType('Withdrawal')
@Directive('@key(fields: "id", resolvable: false)')
export class WithdrawalRef {
  @Field(() => ID)
  id!: string;
}

/** The ledger's trade Order, referenced by its key. */
@ObjectType('Order')
@Directive('@key(fields: "id", resolvable: false)')
export class OrderRef {
  @Field(() => ID)
  id!: string;
}

/** The voucher subgraph's Voucher (bought or redeemed), referenced by its key. */
@ObjectType('Voucher')
@Directive('@key(fields: "id", resolvable: false)')
export class VoucherRef {
  @Field(() => ID)
  id!: string;
}

/** The payment subgraph's Paystar card Payment, referenced by its key. */
@ObjectType('Payment')
@Directive('@key(fields: "id", resolvable: false)')
export class PaymentRef {
  @Field(() => ID)
  id!: string;
}

/** identity's User, referenced by its key (the ticket's owner). */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class SupportUser {
  @Field(() => ID)
  id!: string;
}

@ObjectType('Ticket', { description: 'A support ticket: its owner and support staff only.' })
@Directive('@key(fields: "id")')
export class TicketType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  subject!: string;

  @Field(() => TicketCategoryEnum)
  category!: TicketCategoryEnum;

  @Field(() => TicketStatusEnum)
  status!: TicketStatusEnum;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'The first public staff answer.' })
  firstResponseAt!: Date | null;

  @Field(() => Date, { nullable: true })
  resolvedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  closedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'The user’s rating, 1–5.' })
  rating!: number | null;

  @Field(() => String, { nullable: true })
  ratingComment!: string | null;

  row!: Ticket;

  static from(row: Ticket): TicketType {
    return Object.assign(new TicketType(), {
      id: row.id,
      subject: row.subject,
      category: row.category as TicketCategoryEnum,
      status: row.status as TicketStatusEnum,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      firstResponseAt: row.firstResponseAt,
      resolvedAt: row.resolvedAt,
      closedAt: row.closedAt,
      rating: row.rating,
      ratingComment: row.ratingComment,
      row,
    });
  }
}

@ObjectType('TicketEdge')
export class TicketEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => TicketType)
  node!: TicketType;
}

@ObjectType('TicketConnection')
export class TicketConnection {
  @Field(() => [TicketEdge])
  edges!: TicketEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('TicketSla', { description: 'Staff: where the queue stands against the SLA.' })
export class TicketSlaType {
  @Field(() => Int, { description: 'Tickets waiting for staff now.' })
  waiting!: number;

  @Field(() => Int, { nullable: true, description: 'How long the longest-waiting ticket has waited, in seconds.' })
  oldestWaitingSeconds!: number | null;

  @Field(() => Int, { description: 'Open tickets past the first-response SLA without an answer.' })
  breachedUnanswered!: number;

  @Field(() => Int, { description: 'The first-response SLA, in minutes.' })
  firstResponseSlaMinutes!: number;

  @Field(() => Int, { description: 'The resolution SLA, in hours.' })
  resolutionSlaHours!: number;

  @Field(() => Int, { nullable: true, description: 'Median first response over the window, seconds.' })
  firstResponseP50Seconds!: number | null;

  @Field(() => Int, { nullable: true, description: '90th percentile first response over the window, seconds.' })
  firstResponseP90Seconds!: number | null;

  @Field(() => Int, { nullable: true, description: 'Median resolution time over the window, seconds.' })
  resolutionP50Seconds!: number | null;

  @Field(() => Int, { description: 'Tickets opened in the window that were answered within the first-response SLA.' })
  answeredWithinSla!: number;

  @Field(() => Int, { description: 'Tickets opened in the window.' })
  opened!: number;

  @Field(() => Int, { description: 'Tickets resolved in the window later than the resolution SLA.' })
  resolvedLate!: number;
}
