import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '../../platform/bus/outbox.entity.js';

/**
 * The kyc schema: submissions and their decisions (the audit trail), phone codes (hashes only) and the phone
 * each user verified, and identity documents (object keys in the private bucket, never URLs).
 */
export class Migration20261207100000_init extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql('kyc')) this.addSql(sql);
    this.addSql(`create table "kyc"."verified_phone" (
      "phone" text primary key check ("phone" ~ '^\\+989[0-9]{9}$'),
      "user_id" text not null unique,
      "verified_at" timestamptz not null default now())`);
    this.addSql(`create table "kyc"."verification_code" (
      "id" text primary key,
      "user_id" text not null,
      "phone" text not null,
      "code_hash" text not null,
      "expires_at" timestamptz not null,
      "attempts" integer not null default 0 check ("attempts" >= 0),
      "locked_at" timestamptz null,
      "consumed_at" timestamptz null,
      "created_at" timestamptz not null default now())`);
    this.addSql(
      `create index "verification_code_user_phone_index" on "kyc"."verification_code" ("user_id", "phone", "created_at")`,
    );
    this.addSql(`create table "kyc"."kyc_document" (
      "id" text primary key,
      "user_id" text not null,
      "kind" text not null check ("kind" in ('ID_CARD_FRONT', 'ID_CARD_BACK', 'SELFIE')),
      "object_key" text not null unique,
      "status" text not null default 'REQUESTED' check ("status" in ('REQUESTED', 'ACCEPTED', 'REJECTED')),
      "size" integer null,
      "content_type" text null,
      "rejection" text null,
      "created_at" timestamptz not null default now(),
      "checked_at" timestamptz null)`);
    this.addSql(`create index "kyc_document_user_id_index" on "kyc"."kyc_document" ("user_id", "created_at")`);
    this.addSql(`create table "kyc"."kyc_submission" (
      "id" text primary key,
      "user_id" text not null,
      "tier_requested" text not null check ("tier_requested" in ('BASIC', 'FULL')),
      "status" text not null default 'PENDING' check ("status" in ('PENDING', 'APPROVED', 'REJECTED')),
      "first_name" text not null,
      "last_name" text not null,
      "national_id" text not null check ("national_id" ~ '^[0-9]{10}$'),
      "birth_date" date not null,
      "phone" text not null,
      "document_ids" text[] not null,
      "approved_tier" text null check ("approved_tier" in ('BASIC', 'FULL')),
      "reviewer_id" text null,
      "note" text null,
      "reason" text null,
      "created_at" timestamptz not null default now(),
      "decided_at" timestamptz null,
      "version" integer not null default 1,
      check (("status" = 'PENDING') = ("decided_at" is null)),
      check (("status" = 'APPROVED') = ("approved_tier" is not null)),
      check ("reviewer_id" is null or "reviewer_id" <> "user_id"))`);
    // One open submission per user: a second one waits for the first decision.
    this.addSql(
      `create unique index "kyc_submission_one_pending" on "kyc"."kyc_submission" ("user_id") where "status" = 'PENDING'`,
    );
    this.addSql(`create index "kyc_submission_user_index" on "kyc"."kyc_submission" ("user_id", "created_at")`);
    this.addSql(`create index "kyc_submission_queue_index" on "kyc"."kyc_submission" ("status", "created_at", "id")`);
    this.addSql(`create table "kyc"."kyc_decision" (
      "id" text primary key,
      "submission_id" text not null references "kyc"."kyc_submission" ("id"),
      "user_id" text not null,
      "reviewer_id" text not null,
      "decision" text not null check ("decision" in ('APPROVED', 'REJECTED')),
      "tier" text null check ("tier" in ('BASIC', 'FULL')),
      "note" text null,
      "decided_at" timestamptz not null default now(),
      check ("reviewer_id" <> "user_id"))`);
    this.addSql(`create unique index "kyc_decision_one_per_submission" on "kyc"."kyc_decision" ("submission_id")`);
    // The audit trail is append-only: no update or delete, even by a buggy service.
    this.addSql(
      `create or replace function "kyc".refuse_change() returns trigger language plpgsql as $$ begin raise exception 'kyc_decision is append-only'; end $$`,
    );
    this.addSql(
      `create trigger kyc_decision_append_only before update or delete on "kyc"."kyc_decision" for each row execute function "kyc".refuse_change()`,
    );
  }
}
