import { Migration } from '@mikro-orm/migrations';

/**
 * The notifier's schema (workers/notifier): its inbox, the recipients it learnt from identity events, and the
 * messages to send, one per (event, user), so a redelivered event adds nothing and a restarted sender finds
 * what is left to send.
 */
export class Migration20261207150000_init extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "notifier"`);
    this.addSql(
      `create table "notifier"."inbox" ("event_id" text not null, "consumer" text not null, "processed_at" timestamptz not null default now(), primary key ("event_id", "consumer"))`,
    );
    this.addSql(`create table "notifier"."recipient" (
      "user_id" text primary key,
      "chat_id" text null,
      "language" text not null default 'en' check ("language" in ('en', 'fa')),
      "muted" text[] not null default '{}',
      "settings_at" timestamptz null,
      "blocked_at" timestamptz null,
      "updated_at" timestamptz not null default now()
    )`);
    this.addSql(`create table "notifier"."message" (
      "event_id" text not null,
      "user_id" text not null,
      "kind" text not null,
      "category" text not null,
      "facts" jsonb not null,
      "occurred_at" timestamptz not null,
      "created_at" timestamptz not null default now(),
      "status" text not null default 'PENDING' check ("status" in ('PENDING', 'SENT', 'MUTED', 'BLOCKED', 'NO_RECIPIENT', 'UNCERTAIN', 'FAILED')),
      "not_before" timestamptz not null default now(),
      "claimed_until" timestamptz null,
      "in_flight_at" timestamptz null,
      "attempts" integer not null default 0,
      "chat_id" text null,
      "language" text null,
      "telegram_message_id" bigint null,
      "sent_at" timestamptz null,
      "last_error" text null,
      primary key ("event_id", "user_id")
    )`);
    this.addSql(
      `create index "message_pending_index" on "notifier"."message" ("not_before", "created_at") where "status" = 'PENDING'`,
    );
  }
}
