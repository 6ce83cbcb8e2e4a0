import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '../../platform/bus/outbox.entity.js';

/**
 * The market publishes its asset switches (`market.asset.updated`) through an outbox, so the ledger and the
 * wallet keep their own copy of `enabled` and `minDeposit`. `revision` orders the updates of one asset: a
 * consumer keeps the highest it has seen, whatever order the events arrive in.
 */
export class Migration20261207000000_asset_events extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql('market')) this.addSql(sql);
    this.addSql(`alter table "market"."asset" add column "revision" bigint not null default 0`);
  }
}
