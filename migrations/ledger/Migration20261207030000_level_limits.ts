import { Migration } from '@mikro-orm/migrations';

/**
 * Level limits (LEDGER_LEVEL_LIMITS): each user's level as identity last reported it (newest fact wins), the
 * latest market prices the ledger values transfers with, and the reference-currency value of every transfer
 * counted against a level limit (one row per transfer: the day's and month's sums are one index range each).
 */
export class Migration20261207030000_level_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ledger"."user_directory"
      add column "level" smallint not null default 1 check ("level" >= 1),
      add column "level_seen_at" timestamptz not null default '-infinity'`);
    this.addSql(`create table "ledger"."price" (
      "coin" text not null,
      "quote" text not null,
      "value" numeric not null check ("value" > 0),
      "observed_at" timestamptz not null,
      primary key ("coin", "quote"))`);
    this.addSql(`create table "ledger"."limit_usage" (
      "transaction_id" text primary key,
      "user_id" text not null,
      "currency" text not null,
      "value" numeric(78,0) not null check ("value" >= 0),
      "created_at" timestamptz not null)`);
    this.addSql(`create index "limit_usage_user_time" on "ledger"."limit_usage" ("user_id", "created_at")`);
  }
}
