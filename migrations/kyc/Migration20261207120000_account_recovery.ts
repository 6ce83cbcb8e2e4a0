import { Migration } from '@mikro-orm/migrations';

/**
 * Account recovery: codes sent to a verified number on behalf of a new Telegram account (hashes only), the
 * requests that follow a proven code, and their decisions (append-only audit).
 */
export class Migration20261207120000_account_recovery extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "kyc"."recovery_code" (
      "id" text primary key,
      "requester_id" text not null,
      "phone" text not null,
      "code_hash" text not null,
      "expires_at" timestamptz not null,
      "attempts" integer not null default 0 check ("attempts" >= 0),
      "locked_at" timestamptz null,
      "consumed_at" timestamptz null,
      "created_at" timestamptz not null default now())`);
    this.addSql(
      `create index "recovery_code_requester_phone_index" on "kyc"."recovery_code" ("requester_id", "phone", "created_at")`,
    );
    this.addSql(`create table "kyc"."account_recovery" (
      "id" text primary key,
      "old_user_id" text not null,
      "new_user_id" text not null,
      "phone" text not null,
      "status" text not null default 'PENDING' check ("status" in ('PENDING', 'APPROVED', 'REJECTED')),
      "reviewer_id" text null,
      "note" text null,
      "reason" text null,
      "created_at" timestamptz not null default now(),
      "decided_at" timestamptz null,
      check ("old_user_id" <> "new_user_id"),
      check (("status" = 'PENDING') = ("decided_at" is null)),
      check ("reviewer_id" is null or ("reviewer_id" <> "old_user_id" and "reviewer_id" <> "new_user_id")))`);
    // One open request per new account and per old account.
    this.addSql(
      `create unique index "account_recovery_one_pending_new" on "kyc"."account_recovery" ("new_user_id") where "status" = 'PENDING'`,
    );
    this.addSql(
      `create unique index "account_recovery_one_pending_old" on "kyc"."account_recovery" ("old_user_id") where "status" = 'PENDING'`,
    );
    this.addSql(
      `create index "account_recovery_queue_index" on "kyc"."account_recovery" ("status", "created_at", "id")`,
    );
    this.addSql(`create table "kyc"."account_recovery_audit" (
      "id" text primary key,
      "recovery_id" text not null references "kyc"."account_recovery" ("id"),
      "action" text not null check ("action" in ('REQUESTED', 'APPROVED', 'REJECTED')),
      "actor_id" text not null,
      "old_user_id" text not null,
      "new_user_id" text not null,
      "note" text null,
      "at" timestamptz not null default now())`);
    this.addSql(
      `create unique index "account_recovery_audit_one_per_action" on "kyc"."account_recovery_audit" ("recovery_id", "action")`,
    );
    this.addSql(
      `create trigger account_recovery_audit_append_only before update or delete on "kyc"."account_recovery_audit" for each row execute function "kyc".refuse_change()`,
    );
  }
}
