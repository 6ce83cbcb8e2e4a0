import { Migration } from '@mikro-orm/migrations';

/**
 * The asset table, seeded with the catalogue of platform/money/assets.ts as it stood when this migration was
 * written (a migration never changes once shipped; asset.catalogue.int.test.ts proves the two agree).
 * Minimum deposits are integer minor units.
 */
export class Migration20261122000000_assets extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "market"."asset" (
      "symbol" text primary key check ("symbol" ~ '^[A-Z][A-Z_]*$'),
      "name" text not null,
      "coin" text not null check ("coin" in ('TON', 'TRX', 'ETH', 'BNB', 'USDT', 'IRT')),
      "network" text null check ("network" in ('TON', 'TRON', 'ETH', 'BSC')),
      "decimals" smallint not null check ("decimals" between 0 and 36),
      "contract" text null,
      "icon_url" text null,
      "enabled" boolean not null default true,
      "min_deposit" numeric(78,0) not null check ("min_deposit" >= 0),
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      check (("network" is null) = ("coin" = 'IRT')))`);
    this
      .addSql(`insert into "market"."asset" ("symbol", "name", "coin", "network", "decimals", "contract", "icon_url", "min_deposit") values
      ('TON', 'Toncoin', 'TON', 'TON', 9, null, 'https://assets.coingecko.com/coins/images/17980/large/ton_symbol.png', 100000000),
      ('USDT_TON', 'Tether USD (TON jetton)', 'USDT', 'TON', 6, 'EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs', 'https://assets.coingecko.com/coins/images/325/large/Tether.png', 1000000),
      ('TRX', 'TRON', 'TRX', 'TRON', 6, null, 'https://assets.coingecko.com/coins/images/1094/large/tron-logo.png', 1000000),
      ('USDT_TRON', 'Tether USD (TRC20)', 'USDT', 'TRON', 6, 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 'https://assets.coingecko.com/coins/images/325/large/Tether.png', 1000000),
      ('ETH', 'Ether', 'ETH', 'ETH', 18, null, 'https://assets.coingecko.com/coins/images/279/large/ethereum.png', 1000000000000000),
      ('USDT_ETH', 'Tether USD (ERC20)', 'USDT', 'ETH', 6, '0xdAC17F958D2ee523a2206206994597C13D831ec7', 'https://assets.coingecko.com/coins/images/325/large/Tether.png', 5000000),
      ('BNB', 'BNB', 'BNB', 'BSC', 18, null, 'https://assets.coingecko.com/coins/images/825/large/bnb-icon2_2x.png', 1000000000000000),
      ('USDT_BSC', 'Tether USD (BEP20)', 'USDT', 'BSC', 18, '0x55d398326f99059fF775485246999027B3197955', 'https://assets.coingecko.com/coins/images/325/large/Tether.png', 1000000000000000000),
      ('IRT', 'Toman', 'IRT', null, 0, null, null, 0)`);
  }
}
