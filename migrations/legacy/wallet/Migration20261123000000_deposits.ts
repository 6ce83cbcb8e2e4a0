import { Migration } from '@mikro-orm/migrations';

/**
 * Deposits and the chain watchers' state.
 * - chain_cursor: per network, the last block a watcher ingested (height + hash); advanced under a row lock
 *   with a compare-and-set, so two watcher instances never ingest the same block twice.
 * - chain_block: the hashes of the last CHAIN_REORG_WINDOW ingested blocks: a reorg is a different hash at a
 *   height we ingested.
 * - deposit: one row per on-chain output to one of our addresses, unique by (network, tx hash, output index).
 *   confirm_event_id is set once, when the credit was requested (wallet.deposit.confirmed); transaction_id
 *   links the ledger's DEPOSIT transaction, reversal_transaction_id its REVERSAL after a reorg.
 * - withdrawal_freeze: a user whose credited deposit was reorged away may not withdraw until staff lift it.
 */
export class Migration20261123000000_deposits extends Migration {
  override async up(): Promise<void> {
    const network = `"network" text not null check ("network" in ('TON', 'TRON', 'ETH', 'BSC'))`;
    this.addSql(`create table "wallet"."chain_cursor" (
      ${network} primary key,
      "height" bigint not null check ("height" >= 0),
      "block_hash" text not null,
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "wallet"."chain_block" (
      ${network},
      "height" bigint not null check ("height" >= 0),
      "hash" text not null,
      "parent_hash" text not null,
      "transactions" integer not null check ("transactions" >= 0),
      "scanned_at" timestamptz not null default now(),
      primary key ("network", "height"))`);
    this.addSql(`create table "wallet"."deposit" (
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
    this.addSql(`create index "deposit_user_idx" on "wallet"."deposit" ("user_id", "id" desc)`);
    this.addSql(
      `create index "deposit_pending_idx" on "wallet"."deposit" ("network", "block_number") where "status" in ('DETECTED', 'CONFIRMING')`,
    );
    this.addSql(`create index "deposit_block_idx" on "wallet"."deposit" ("network", "block_number")`);
    this.addSql(`create table "wallet"."withdrawal_freeze" (
      "user_id" text primary key,
      "reason" text not null,
      "deposit_id" text null references "wallet"."deposit" ("id"),
      "frozen_at" timestamptz not null default now())`);
  }
}
