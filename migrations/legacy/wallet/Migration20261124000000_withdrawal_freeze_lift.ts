import { Migration } from '@mikro-orm/migrations';

/**
 * Lifting a withdrawal freeze. The active freeze stays one row per user in withdrawal_freeze (what the
 * watcher inserts and `User.withdrawalsFrozen` reads); lifting moves it here in the same transaction, with who
 * lifted it, when and why, so every freeze a user ever had stays on record.
 */
export class Migration20261124000000_withdrawal_freeze_lift extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "wallet"."withdrawal_freeze_lift" (
      "id" text primary key,
      "user_id" text not null,
      "reason" text not null,
      "deposit_id" text null references "wallet"."deposit" ("id"),
      "frozen_at" timestamptz not null,
      "lifted_at" timestamptz not null default now(),
      "lifted_by" text not null,
      "note" text not null check (length("note") between 1 and 500))`);
    this.addSql(
      `create index "withdrawal_freeze_lift_user_idx" on "wallet"."withdrawal_freeze_lift" ("user_id", "lifted_at" desc)`,
    );
    this.addSql(
      `create index "withdrawal_freeze_frozen_at_idx" on "wallet"."withdrawal_freeze" ("frozen_at" desc, "user_id" desc)`,
    );
  }
}
