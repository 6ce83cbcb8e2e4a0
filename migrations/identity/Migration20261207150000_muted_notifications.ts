import { Migration } from '@mikro-orm/migrations';

/** Categories of Telegram notifications a user turned off (settings' mutedNotifications); none by default. */
export class Migration20261207150000_muted_notifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "identity"."user" add column "muted_notifications" text[] not null default '{}'`);
  }
}
