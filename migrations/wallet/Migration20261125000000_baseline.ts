import { outboxTablesSql } from '../../platform/bus/outbox.entity.js';
import { Baseline } from '../baseline.js';

/**
 * The wallet's schema: HD custody roots (envelope ciphertext only), one custody index per user, wallets;
 * deposits and the chain watchers' state; withdrawal freezes and their lifts.
 * - Custody indices come from one sequence; index 0 is never handed out (kept for the platform's own wallet).
 * - chain_cursor: per network, the last block a watcher ingested (height + hash); advanced under a row lock
 *   with a compare-and-set, so two watcher instances never ingest the same block twice.
 * - chain_block: the hashes of the last CHAIN_REORG_WINDOW ingested blocks: a reorg is a different hash at a
 *   height we ingested.
 * - deposit: one row per on-chain output to one of our addresses, unique by (network, tx hash, output index).
 *   confirm_event_id is set once, when the credit was requested (wallet.deposit.confirmed); transaction_id
 *   links the ledger's DEPOSIT transaction, reversal_transaction_id its REVERSAL after a reorg.
 * - withdrawal_freeze: a user whose credited deposit was reorged away may not withdraw until staff lift it;
 *   lifting moves the row to withdrawal_freeze_lift with who lifted it, when and why.
 *
 * Squashes the three migrations of 2026-11-22..24 (wallet init, deposits, freeze lift); a database that ran
 * them has nothing to change.
 */
export class Migration20261125000000_baseline extends Baseline {
  protected readonly schemaName = 'wallet';
  protected readonly replaces = [
    'Migration20261122000000_wallet_init',
    'Migration20261123000000_deposits',
    'Migration20261124000000_withdrawal_freeze_lift',
  ];

  protected fresh(): string[] {
    const sql: string[] = [];
    sql.push(...outboxTablesSql('wallet'));
    sql.push(`create table "wallet"."hd_root" (
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
    sql.push(`create unique index "hd_root_one_active" on "wallet"."hd_root" (("status")) where "status" = 'ACTIVE'`);
    sql.push(`create sequence "wallet"."custody_index_seq" as integer minvalue 1 maxvalue 2147483647 start 1 no cycle`);
    sql.push(`create table "wallet"."custody_account" (
      "user_id" text primary key,
      "custody_index" integer not null unique default nextval('"wallet"."custody_index_seq"') check ("custody_index" between 1 and 2147483647),
      "created_at" timestamptz not null default now())`);
    sql.push(`alter sequence "wallet"."custody_index_seq" owned by "wallet"."custody_account"."custody_index"`);
    sql.push(`create table "wallet"."wallet" (
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
    sql.push(
      `create unique index "wallet_one_primary_per_network" on "wallet"."wallet" ("user_id", "network") where "is_primary"`,
    );
    sql.push(
      `create unique index "wallet_one_default_per_network" on "wallet"."wallet" ("user_id", "network") where "is_default"`,
    );
    sql.push(`create index "wallet_user_id_created_at_index" on "wallet"."wallet" ("user_id", "created_at", "id")`);

    const network = `"network" text not null check ("network" in ('TON', 'TRON', 'ETH', 'BSC'))`;
    sql.push(`create table "wallet"."chain_cursor" (
      ${network} primary key,
      "height" bigint not null check ("height" >= 0),
      "block_hash" text not null,
      "updated_at" timestamptz not null default now())`);
    sql.push(`create table "wallet"."chain_block" (
      ${network},
      "height" bigint not null check ("height" >= 0),
      "hash" text not null,
      "parent_hash" text not null,
      "transactions" integer not null check ("transactions" >= 0),
      "scanned_at" timestamptz not null default now(),
      primary key ("network", "height"))`);
    sql.push(`create table "wallet"."deposit" (
      "id" text primary key,
      ${network},
      "asset" text not null,
      "user_id" text not null,
      "wallet_id" text not null references "wallet"."wallet" ("id"),
      "amount" numeric(78,0) not null check ("amount" > 0),
      "from_address" text not null,
      "to_address" text not null,
      "tx_hash" text not null,
      "output_index" integer not null check ("output_index" >= 0),
      "block_number" bigint not null check ("block_number" >= 0),
      "block_hash" text not null,
      "confirmations" integer not null check ("confirmations" >= 0),
      "required_confirmations" integer not null check ("required_confirmations" >= 1),
      "status" text not null check ("status" in ('DETECTED', 'CONFIRMING', 'CREDITED', 'REORGED', 'IGNORED')),
      "detected_at" timestamptz not null default now(),
      "confirmed_at" timestamptz null,
      "confirm_event_id" text null unique,
      "credited_at" timestamptz null,
      "transaction_id" text null unique,
      "reorged_at" timestamptz null,
      "reversal_transaction_id" text null unique,
      "updated_at" timestamptz not null default now(),
      constraint "deposit_onchain_unique" unique ("network", "tx_hash", "output_index"),
      constraint "deposit_confirmed_consistent" check (("confirmed_at" is null) = ("confirm_event_id" is null)),
      constraint "deposit_credited_has_transaction" check ("status" <> 'CREDITED' or ("transaction_id" is not null and "credited_at" is not null)),
      constraint "deposit_ignored_never_confirmed" check ("status" <> 'IGNORED' or "confirmed_at" is null),
      constraint "deposit_reorged_has_time" check (("status" = 'REORGED') = ("reorged_at" is not null)))`);
    sql.push(`create index "deposit_user_idx" on "wallet"."deposit" ("user_id", "id" desc)`);
    sql.push(
      `create index "deposit_pending_idx" on "wallet"."deposit" ("network", "block_number") where "status" in ('DETECTED', 'CONFIRMING')`,
    );
    sql.push(`create index "deposit_block_idx" on "wallet"."deposit" ("network", "block_number")`);
    sql.push(`create table "wallet"."withdrawal_freeze" (
      "user_id" text primary key,
      "reason" text not null,
      "deposit_id" text null references "wallet"."deposit" ("id"),
      "frozen_at" timestamptz not null default now())`);

    sql.push(`create table "wallet"."withdrawal_freeze_lift" (
      "id" text primary key,
      "user_id" text not null,
      "reason" text not null,
      "deposit_id" text null references "wallet"."deposit" ("id"),
      "frozen_at" timestamptz not null,
      "lifted_at" timestamptz not null default now(),
      "lifted_by" text not null,
      "note" text not null check (length("note") between 1 and 500))`);
    sql.push(
      `create index "withdrawal_freeze_lift_user_idx" on "wallet"."withdrawal_freeze_lift" ("user_id", "lifted_at" desc)`,
    );
    sql.push(
      `create index "withdrawal_freeze_frozen_at_idx" on "wallet"."withdrawal_freeze" ("frozen_at" desc, "user_id" desc)`,
    );
    return sql;
  }
}
