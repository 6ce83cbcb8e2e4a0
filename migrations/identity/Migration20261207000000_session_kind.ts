import { Migration } from '@mikro-orm/migrations';

/**
 * How a session family was started: `telegram` (Mini App initData) or `staff` (email + password). Only a staff
 * session's access tokens carry the user's staff roles and claims; a Telegram session carries USER only.
 * Sessions from before this column existed count as Telegram ones: a staff member signs in again once.
 */
export class Migration20261207000000_session_kind extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "identity"."session" add column "kind" text not null default 'telegram' check ("kind" in ('telegram', 'staff'))`,
    );
  }
}
