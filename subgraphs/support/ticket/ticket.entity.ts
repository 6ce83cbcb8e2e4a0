import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

export const TICKET_CATEGORIES = [
  'GENERAL',
  'ACCOUNT',
  'KYC',
  'DEPOSIT',
  'WITHDRAWAL',
  'TRADING',
  'PAYMENT',
  'VOUCHER',
] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_STATUSES = ['OPEN', 'WAITING_ON_STAFF', 'WAITING_ON_USER', 'RESOLVED', 'CLOSED'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** What a ticket may link to: the money and orders the user asks about. */
export const LINK_KINDS = ['DEPOSIT', 'WITHDRAWAL', 'TRANSACTION', 'ORDER', 'VOUCHER', 'PAYMENT'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/**
 * A support ticket. `waitingSince` is when it started waiting for staff (null while it waits for the user or is
 * settled): the queue's "waiting longest" order. SLA: `firstResponseAt` (first public staff answer),
 * `resolvedAt`, `slaBreachedAt` (first response not given in time).
 */
@Entity({ tableName: 'ticket' })
export class Ticket {
  [OptionalProps]?:
    | 'status'
    | 'assigneeId'
    | 'createdAt'
    | 'updatedAt'
    | 'waitingSince'
    | 'firstResponseAt'
    | 'resolvedAt'
    | 'closedAt'
    | 'slaBreachedAt'
    | 'rating'
    | 'ratingComment';

  @PrimaryKey({ type: 'text' })
  id: string = newId('tkt');

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text' })
  category!: TicketCategory;

  @Property({ type: 'text' })
  status: TicketStatus = 'OPEN';

  @Property({ type: 'text', nullable: true })
  assigneeId: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  waitingSince: Date | null = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  firstResponseAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  closedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  slaBreachedAt: Date | null = null;

  @Property({ type: 'smallint', nullable: true })
  rating: number | null = null;

  @Property({ type: 'text', nullable: true })
  ratingComment: string | null = null;
}

export type AuthorRole = 'USER' | 'STAFF';

/** One message of a ticket's thread. Internal notes are staff-only: never returned to the user. */
@Entity({ tableName: 'ticket_message' })
export class TicketMessage {
  [OptionalProps]?: 'createdAt' | 'internal';

  @PrimaryKey({ type: 'text' })
  id: string = newId('tmsg');

  @Property({ type: 'text' })
  ticketId!: string;

  @Property({ type: 'text' })
  authorId!: string;

  @Property({ type: 'text' })
  authorRole!: AuthorRole;

  @Property({ type: 'boolean' })
  internal: boolean = false;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A ticket's link to another subgraph's object, by kind and id (checked to be the user's own when opened). */
@Entity({ tableName: 'ticket_link' })
export class TicketLink {
  @PrimaryKey({ type: 'text' })
  ticketId!: string;

  @PrimaryKey({ type: 'text' })
  kind!: LinkKind;

  @Property({ type: 'text' })
  objectId!: string;
}
