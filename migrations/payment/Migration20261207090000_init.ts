import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '../../platform/bus/outbox.entity.js';

/**
 * The payment schema: KYC holder names (sealed), verified bank cards (mask + HMAC, never the number) and IBANs,
 * Paystar card payments, bank statement credits, personal deposit ids, the statement cursor and Toman
 * withdrawals. Each state machine is guarded by the database too (one credit per refCode, one payment per
 * idempotency key, one transfer per trackId).
 */
export class Migration20261207090000_init extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql('payment')) this.addSql(sql);
    this.addSql(`create table "payment"."kyc_holder" (
      "user_id" text primary key,
      "name_enc" text not null,
      "submission_id" text not null,
      "approved_at" timestamptz not null,
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "payment"."bank_card" (
      "id" text primary key,
      "user_id" text not null,
      "card_index" text not null unique,
      "masked" text not null check ("masked" ~ '^[0-9]{6}\\*{6}[0-9]{4}$'),
      "number_enc" text not null,
      "bank_name" text null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "bank_card_user_index" on "payment"."bank_card" ("user_id")`);
    this.addSql(`create index "bank_card_masked_index" on "payment"."bank_card" ("masked")`);
    this.addSql(`create table "payment"."bank_account" (
      "id" text primary key,
      "user_id" text not null,
      "iban" text not null unique check ("iban" ~ '^IR[0-9]{24}$'),
      "owner_enc" text not null,
      "bank_name" text null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "bank_account_user_index" on "payment"."bank_account" ("user_id")`);
    this.addSql(`create table "payment"."payment" (
      "id" text primary key,
      "user_id" text not null,
      "card_id" text not null references "payment"."bank_card" ("id"),
      "amount" numeric(78,0) not null check ("amount" > 0),
      "status" text not null default 'INIT'
        check ("status" in ('INIT', 'CALLBACK_RECEIVED', 'VERIFYING', 'PAID', 'REFUSED', 'FAILED')),
      "idempotency_key" text not null,
      "request_hash" text not null,
      "token" text null,
      "payment_url" text null,
      "ref_num" text null unique,
      "tracking_code" text null,
      "paid_card" text null,
      "failure_reason" text null,
      "verified_at" timestamptz null,
      "claimed_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      unique ("user_id", "idempotency_key"),
      check (("status" = 'PAID') <= ("verified_at" is not null)))`);
    this.addSql(`create index "payment_user_index" on "payment"."payment" ("user_id", "id")`);
    this.addSql(
      `create index "payment_open_index" on "payment"."payment" ("updated_at") where "status" in ('INIT', 'CALLBACK_RECEIVED', 'VERIFYING')`,
    );
    this.addSql(`create table "payment"."bank_credit" (
      "id" text primary key,
      "ref_code" text not null unique,
      "amount" numeric(78,0) not null check ("amount" > 0),
      "booked_at" timestamptz not null,
      "description" text not null,
      "deposit_id" text null,
      "source_card" text null,
      "source_iban" text null,
      "status" text not null check ("status" in ('CREDITED', 'UNMATCHED', 'ASSIGNED')),
      "user_id" text null,
      "matched_by" text null check ("matched_by" in ('DEPOSIT_ID', 'CARD', 'STAFF')),
      "assigned_by" text null,
      "created_at" timestamptz not null default now(),
      check (("status" = 'UNMATCHED') = ("user_id" is null)),
      check (("status" = 'ASSIGNED') = ("assigned_by" is not null)))`);
    this.addSql(
      `create index "bank_credit_unmatched_index" on "payment"."bank_credit" ("id") where "status" = 'UNMATCHED'`,
    );
    this.addSql(`create table "payment"."deposit_code" (
      "user_id" text primary key,
      "code" text not null unique check ("code" ~ '^[0-9]{10,20}$'),
      "created_at" timestamptz not null default now())`);
    this.addSql(`create sequence "payment"."deposit_code_seq" start 100000001`);
    this.addSql(`create table "payment"."statement_cursor" (
      "deposit_number" text primary key,
      "read_until" timestamptz not null,
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "payment"."fiat_withdrawal" (
      "id" text primary key,
      "user_id" text not null,
      "bank_account_id" text not null references "payment"."bank_account" ("id"),
      "amount" numeric(78,0) not null check ("amount" > 0),
      "status" text not null default 'REQUESTED' check ("status" in
        ('REQUESTED', 'REJECTED', 'PENDING_APPROVAL', 'CANCELLED', 'APPROVED', 'SENDING', 'DONE', 'FAILED')),
      "needs_approval" boolean not null,
      "idempotency_key" text not null,
      "request_hash" text not null,
      "payout_number" bigint generated by default as identity unique,
      "track_id" text null unique check (length("track_id") <= 40),
      "bank_ref" text null,
      "failure_code" text null,
      "failure_reason" text null,
      "approver_id" text null,
      "sent_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      unique ("user_id", "idempotency_key"),
      check ("approver_id" is null or "approver_id" <> "user_id"),
      check ("status" not in ('SENDING', 'DONE') or "track_id" is not null))`);
    this.addSql(`create index "fiat_withdrawal_user_index" on "payment"."fiat_withdrawal" ("user_id", "id")`);
    this.addSql(
      `create index "fiat_withdrawal_work_index" on "payment"."fiat_withdrawal" ("updated_at") where "status" in ('APPROVED', 'SENDING')`,
    );
  }
}
