import { Migration } from '@mikro-orm/migrations';

/**
 * The wallet's copy of the market's minimum deposits (minor units), kept from `market.asset.updated` (newest
 * revision wins). No row: the catalogue's minimum (platform/money/assets.ts) applies.
 */
export class Migration20261207000000_asset_minimums extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "wallet"."asset_minimum" (
      "symbol" text primary key,
      "min_deposit" numeric(78,0) not null check ("min_deposit" >= 0),
      "revision" bigint not null,
      "updated_at" timestamptz not null default now())`);
  }
}
