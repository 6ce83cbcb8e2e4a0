import { Migration } from '@mikro-orm/migrations';

/**
 * One withdrawal freeze per reorged deposit instead of one per user: a second deposit reorged away while the
 * first freeze stands gets its own record, and lifting one (liftWithdrawalFreeze with its depositId) leaves the
 * others in force. A user's withdrawals are frozen while any row of theirs exists.
 */
export class Migration20261207000000_freeze_per_deposit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "wallet"."withdrawal_freeze" drop constraint "withdrawal_freeze_pkey"`);
    this.addSql(
      `alter table "wallet"."withdrawal_freeze" add column "id" text not null default ('wfz_' || replace(gen_random_uuid()::text, '-', ''))`,
    );
    this.addSql(`alter table "wallet"."withdrawal_freeze" add primary key ("id")`);
    this.addSql(
      `create unique index "withdrawal_freeze_deposit_unique" on "wallet"."withdrawal_freeze" ("deposit_id") where "deposit_id" is not null`,
    );
    this.addSql(`create index "withdrawal_freeze_user_idx" on "wallet"."withdrawal_freeze" ("user_id")`);
    this.addSql(`drop index "wallet"."withdrawal_freeze_frozen_at_idx"`);
    this.addSql(
      `create index "withdrawal_freeze_frozen_at_idx" on "wallet"."withdrawal_freeze" ("frozen_at" desc, "id" desc)`,
    );
  }
}
