import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One staff alert to send to the Telegram staff chat, keyed by the event it came from (so a redelivered event
 * adds nothing). `sentAt` is set once Telegram accepted it; `telegramMessageId` is Telegram's id for it.
 */
@Entity({ tableName: 'staff_alert' })
export class StaffAlert {
  [OptionalProps]?:
    'createdAt' | 'sentAt' | 'claimedUntil' | 'attempts' | 'telegramMessageId' | 'lastError' | 'notBefore';

  @PrimaryKey({ type: 'text' })
  eventId!: string;

  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'text' })
  ticketId!: string;

  @Property({ type: 'text' })
  chatId!: string;

  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  notBefore: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  sentAt: Date | null = null;

  /** A sender took it until then (sending outside any transaction); after that another may take it. */
  @Property({ type: 'timestamptz', nullable: true })
  claimedUntil: Date | null = null;

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'bigint', nullable: true })
  telegramMessageId: string | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;
}
