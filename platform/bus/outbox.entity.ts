import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { EventEnvelope } from './envelope.js';

/** An event written in the same transaction as the change it describes; the relay publishes it. */
@Entity({ tableName: 'outbox' })
@Index({ name: 'outbox_unpublished_idx', properties: ['occurredAt'], options: { where: 'published_at is null' } })
export class OutboxEvent {
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'json' })
  envelope!: EventEnvelope;

  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null = null;

  @Property({ type: 'integer' })
  attempts = 0;

  static of(event: EventEnvelope): OutboxEvent {
    const row = new OutboxEvent();
    row.id = event.id;
    row.subject = event.type;
    row.envelope = event as EventEnvelope;
    row.occurredAt = new Date(event.occurredAt);
    return row;
  }
}

/** One row per event a consumer has applied; written in the same transaction as the effect. */
@Entity({ tableName: 'inbox' })
export class InboxEntry {
  @PrimaryKey({ type: 'text' })
  eventId!: string;

  @PrimaryKey({ type: 'text' })
  consumer!: string;

  @Property({ type: 'timestamptz' })
  processedAt!: Date;
}

/**
 * SQL for the outbox and inbox tables of one schema; each subgraph's first migration includes it. The
 * trigger wakes the relay (LISTEN outbox) as soon as the writing transaction commits.
 */
export function outboxTablesSql(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    `create schema if not exists ${s}`,
    `create table ${s}."outbox" ("id" text primary key, "subject" text not null, "envelope" jsonb not null, "occurred_at" timestamptz not null, "published_at" timestamptz null, "attempts" integer not null default 0)`,
    `create index "outbox_unpublished_idx" on ${s}."outbox" ("occurred_at", "id") where published_at is null`,
    `create table ${s}."inbox" ("event_id" text not null, "consumer" text not null, "processed_at" timestamptz not null default now(), primary key ("event_id", "consumer"))`,
    `create or replace function ${s}.notify_outbox() returns trigger language plpgsql as $$ begin perform pg_notify('outbox', '${schema}'); return null; end $$`,
    `create trigger outbox_notify after insert on ${s}."outbox" for each statement execute function ${s}.notify_outbox()`,
  ];
}
