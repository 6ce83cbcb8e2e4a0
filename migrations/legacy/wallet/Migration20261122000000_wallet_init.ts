import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '../../../platform/bus/outbox.entity.js';

/**
 * HD custody roots (envelope ciphertext only), one custody index per user, wallets.
 * Custody indices come from one sequence; index 0 is never handed out (kept for the platform's own wallet).
 */
export class Migration20261122000000_wallet_init extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql('wallet')) this.addSql(sql);
    this.addSql(`create table "wallet"."hd_root" (
      "id" text primary key,
      "status" text not null check ("status" in ('ACTIVE', 'RETIRED')),
      "origin" text not null check ("origin" in ('GENERATED', 'IMPORTED')),
      "fingerprint" text not null check ("fingerprint" ~ '^[0-9a-f]{8}$'),
      "word_count" smallint not null check ("word_count" in (12, 15, 18, 21, 24)),
      "ciphertext" text not null,
      "iv" text not null,
      "auth_tag" text not null,
      "wrapped_data_key" text not null,
      "wrap_iv" text not null,
      "wrap_tag" text not null,
      "master_key_id" text not null,
      "master_key_check" text not null,
      "created_at" timestamptz not null default now(),
      "rewrapped_at" timestamptz null,
      "retired_at" timestamptz null,
      check (("status" = 'RETIRED') = ("retired_at" is not null)))`);
    this.addSql(
      `create unique index "hd_root_one_active" on "wallet"."hd_root" (("status")) where "status" = 'ACTIVE'`,
    );
    this.addSql(
      `create sequence "wallet"."custody_index_seq" as integer minvalue 1 maxvalue 2147483647 start 1 no cycle`,
    );
    this.addSql(`create table "wallet"."custody_account" (
      "user_id" text primary key,
      "custody_index" integer not null unique default nextval('"wallet"."custody_index_seq"') check ("custody_index" between 1 and 2147483647),
      "created_at" timestamptz not null default now())`);
    this.addSql(`alter sequence "wallet"."custody_index_seq" owned by "wallet"."custody_account"."custody_index"`);
    this.addSql(`create table "wallet"."wallet" (
      "id" text primary key,
      "user_id" text not null references "wallet"."custody_account" ("user_id"),
      "network" text not null check ("network" in ('TON', 'TRON', 'ETH', 'BSC')),
      "root_id" text not null references "wallet"."hd_root" ("id"),
      "custody_index" integer not null check ("custody_index" between 1 and 2147483647),
      "address" text not null,
      "label" text null check (char_length("label") between 1 and 64),
      "is_primary" boolean not null,
      "is_default" boolean not null,
      "created_at" timestamptz not null default now(),
      constraint "wallet_network_address_unique" unique ("network", "address"),
      constraint "wallet_root_network_index_unique" unique ("root_id", "network", "custody_index"))`);
    this.addSql(
      `create unique index "wallet_one_primary_per_network" on "wallet"."wallet" ("user_id", "network") where "is_primary"`,
    );
    this.addSql(
      `create unique index "wallet_one_default_per_network" on "wallet"."wallet" ("user_id", "network") where "is_default"`,
    );
    this.addSql(`create index "wallet_user_id_created_at_index" on "wallet"."wallet" ("user_id", "created_at", "id")`);
  }
}
