import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '../../platform/bus/outbox.entity.js';

/**
 * The support schema: tickets (status, assignee, SLA timestamps, rating), their threads (public messages and
 * internal notes), links to other subgraphs' objects and the directory of who owns them (learnt from events),
 * attachments (object keys in the private bucket, never URLs), and the staff alerts waiting for Telegram.
 * Bodies are plain text: length-limited here as in the service, never interpreted.
 */
export class Migration20261207140000_init extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql('support')) this.addSql(sql);
    this.addSql(`create table "support"."ticket" (
      "id" text primary key,
      "user_id" text not null,
      "subject" text not null check (char_length("subject") between 1 and 200),
      "category" text not null check ("category" in ('GENERAL', 'ACCOUNT', 'KYC', 'DEPOSIT', 'WITHDRAWAL', 'TRADING', 'PAYMENT', 'VOUCHER')),
      "status" text not null default 'OPEN' check ("status" in ('OPEN', 'WAITING_ON_STAFF', 'WAITING_ON_USER', 'RESOLVED', 'CLOSED')),
      "assignee_id" text null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "waiting_since" timestamptz null,
      "first_response_at" timestamptz null,
      "resolved_at" timestamptz null,
      "closed_at" timestamptz null,
      "sla_breached_at" timestamptz null,
      "rating" smallint null check ("rating" between 1 and 5),
      "rating_comment" text null check (char_length("rating_comment") <= 1000),
      check (("status" in ('OPEN', 'WAITING_ON_STAFF')) = ("waiting_since" is not null)),
      check ("status" <> 'RESOLVED' or "resolved_at" is not null),
      check ("status" <> 'CLOSED' or "closed_at" is not null),
      check ("assignee_id" is null or "assignee_id" <> "user_id"))`);
    this.addSql(`create index "ticket_user_index" on "support"."ticket" ("user_id", "created_at" desc, "id" desc)`);
    // The staff queue: waiting on staff, longest first (partial: settled tickets never enter it).
    this.addSql(
      `create index "ticket_waiting_index" on "support"."ticket" ("waiting_since", "id") where "waiting_since" is not null`,
    );
    this.addSql(`create index "ticket_status_index" on "support"."ticket" ("status", "created_at" desc, "id" desc)`);
    this.addSql(`create index "ticket_assignee_index" on "support"."ticket" ("assignee_id", "status")`);
    this.addSql(`create table "support"."ticket_message" (
      "id" text primary key,
      "ticket_id" text not null references "support"."ticket" ("id"),
      "author_id" text not null,
      "author_role" text not null check ("author_role" in ('USER', 'STAFF')),
      "internal" boolean not null default false check (not "internal" or "author_role" = 'STAFF'),
      "body" text not null check (char_length("body") between 1 and 20000),
      "created_at" timestamptz not null default now())`);
    this.addSql(
      `create index "ticket_message_ticket_index" on "support"."ticket_message" ("ticket_id", "created_at", "id")`,
    );
    this.addSql(`create table "support"."ticket_link" (
      "ticket_id" text not null references "support"."ticket" ("id"),
      "kind" text not null check ("kind" in ('DEPOSIT', 'WITHDRAWAL', 'TRANSACTION', 'ORDER', 'VOUCHER', 'PAYMENT')),
      "object_id" text not null,
      primary key ("ticket_id", "kind"))`);
    this.addSql(`create index "ticket_link_object_index" on "support"."ticket_link" ("kind", "object_id")`);
    this.addSql(`create table "support"."link_owner" (
      "kind" text not null,
      "object_id" text not null,
      "user_id" text not null,
      "learned_at" timestamptz not null default now(),
      primary key ("kind", "object_id", "user_id"))`);
    this.addSql(`create table "support"."ticket_attachment" (
      "id" text primary key,
      "ticket_id" text not null references "support"."ticket" ("id"),
      "uploader_id" text not null,
      "object_key" text not null unique,
      "file_name" text not null check (char_length("file_name") between 1 and 200),
      "content_type" text not null,
      "status" text not null default 'REQUESTED' check ("status" in ('REQUESTED', 'ACCEPTED', 'REJECTED')),
      "size" integer null,
      "rejection" text null,
      "created_at" timestamptz not null default now(),
      "checked_at" timestamptz null)`);
    this.addSql(
      `create index "ticket_attachment_ticket_index" on "support"."ticket_attachment" ("ticket_id", "created_at")`,
    );
    this.addSql(
      `create index "ticket_attachment_uploader_index" on "support"."ticket_attachment" ("uploader_id", "status", "created_at")`,
    );
    this.addSql(`create table "support"."staff_alert" (
      "event_id" text primary key,
      "kind" text not null,
      "ticket_id" text not null,
      "chat_id" text not null,
      "text" text not null,
      "created_at" timestamptz not null default now(),
      "not_before" timestamptz not null default now(),
      "sent_at" timestamptz null,
      "claimed_until" timestamptz null,
      "attempts" integer not null default 0,
      "telegram_message_id" bigint null,
      "last_error" text null)`);
    this.addSql(
      `create index "staff_alert_pending_index" on "support"."staff_alert" ("not_before", "created_at") where "sent_at" is null`,
    );
  }
}
