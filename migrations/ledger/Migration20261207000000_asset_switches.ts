import { Migration } from '@mikro-orm/migrations';

/**
 * The ledger's copy of the market's asset switches, kept from `market.asset.updated` (newest revision wins).
 * No row: the asset is as the catalogue ships it (enabled).
 */
export class Migration20261207000000_asset_switches extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "ledger"."asset_switch" (
      "symbol" text primary key,
      "enabled" boolean not null,
      "revision" bigint not null,
      "updated_at" timestamptz not null default now())`);
  }
}
