import { Migration } from '@mikro-orm/migrations';

/**
 * Crypto withdrawals (subgraphs/wallet/withdrawal): the request and its state, every signed transaction the
 * broadcaster made for it (stored before broadcast), the audit of each transition, the allowed transitions
 * (a trigger refuses any other, so a status never moves backwards whatever the code does), the per-asset
 * approval thresholds with who changed them, the user's withdrawal addresses (cool-off), and the wallet's copy
 * of market prices (fee conversion, threshold valuation).
 */
export class Migration20261207100000_withdrawals extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "wallet"."withdrawal" (
      "id" text primary key,
      "user_id" text not null,
      "network" text not null,
      "asset" text not null,
      "to_address" text not null,
      "memo" text null,
      "amount" numeric(78,0) not null check ("amount" > 0),
      "fee" numeric(78,0) not null check ("fee" >= 0),
      "fee_quote" jsonb not null,
      "usd_value" numeric(78,0) null,
      "needs_approval" boolean not null,
      "internal_user_id" text null,
      "status" text not null default 'REQUESTED',
      "idempotency_key" text not null,
      "request_hash" text not null,
      "reject_code" text null,
      "reject_reason" text null,
      "reject_detail" jsonb not null default '{}',
      "decided_by" text null,
      "ledger_transaction_id" text null,
      "tx_hash" text null,
      "confirmations" integer not null default 0,
      "network_fee" numeric(78,0) null,
      "attempts" integer not null default 0,
      "next_attempt_at" timestamptz not null default now(),
      "last_error" text null,
      "broadcast_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      unique ("user_id", "idempotency_key"))`);
    this.addSql(`create index "withdrawal_user_idx" on "wallet"."withdrawal" ("user_id", "id" desc)`);
    this.addSql(`create index "withdrawal_status_idx" on "wallet"."withdrawal" ("status", "id")`);
    this.addSql(
      `create index "withdrawal_work_idx" on "wallet"."withdrawal" ("network", "next_attempt_at") where "status" in ('APPROVED', 'SIGNED', 'BROADCAST', 'CONFIRMING')`,
    );

    this.addSql(`create table "wallet"."withdrawal_transition" (
      "from_status" text not null,
      "to_status" text not null,
      primary key ("from_status", "to_status"))`);
    this.addSql(`insert into "wallet"."withdrawal_transition" ("from_status", "to_status") values
      ('REQUESTED', 'PENDING_APPROVAL'), ('REQUESTED', 'APPROVED'), ('REQUESTED', 'REJECTED'), ('REQUESTED', 'COMPLETED'),
      ('PENDING_APPROVAL', 'APPROVED'), ('PENDING_APPROVAL', 'REJECTED'), ('PENDING_APPROVAL', 'CANCELLED'),
      ('APPROVED', 'SIGNED'), ('APPROVED', 'FAILED'),
      ('SIGNED', 'BROADCAST'), ('SIGNED', 'FAILED'),
      ('BROADCAST', 'CONFIRMING'), ('BROADCAST', 'COMPLETED'), ('BROADCAST', 'FAILED'),
      ('CONFIRMING', 'COMPLETED'), ('CONFIRMING', 'FAILED')`);
    this.addSql(`create function "wallet"."withdrawal_transition_check"() returns trigger language plpgsql as $$
      begin
        if new.status <> old.status and not exists (
          select 1 from wallet.withdrawal_transition where from_status = old.status and to_status = new.status) then
          raise exception 'withdrawal % cannot move from % to %', old.id, old.status, new.status using errcode = 'check_violation';
        end if;
        return new;
      end $$`);
    this.addSql(`create trigger "withdrawal_transition_check" before update of "status" on "wallet"."withdrawal"
      for each row execute function "wallet"."withdrawal_transition_check"()`);

    this.addSql(`create table "wallet"."withdrawal_tx" (
      "tx_hash" text not null,
      "withdrawal_id" text not null references "wallet"."withdrawal" ("id"),
      "network" text not null,
      "signed" jsonb not null,
      "replaces" text null,
      "created_at" timestamptz not null default now(),
      primary key ("network", "tx_hash"))`);
    this.addSql(
      `create index "withdrawal_tx_withdrawal_idx" on "wallet"."withdrawal_tx" ("withdrawal_id", "created_at")`,
    );

    this.addSql(`create table "wallet"."withdrawal_audit" (
      "id" bigserial primary key,
      "withdrawal_id" text not null references "wallet"."withdrawal" ("id"),
      "from_status" text null,
      "to_status" text not null,
      "actor" text not null,
      "detail" jsonb not null default '{}',
      "at" timestamptz not null default now())`);
    this.addSql(
      `create index "withdrawal_audit_withdrawal_idx" on "wallet"."withdrawal_audit" ("withdrawal_id", "id")`,
    );

    this.addSql(`create table "wallet"."withdrawal_threshold" (
      "asset" text primary key,
      "usd_cents" numeric(78,0) not null check ("usd_cents" >= 0),
      "changed_by" text not null,
      "changed_at" timestamptz not null default now())`);

    this.addSql(`create table "wallet"."withdrawal_address" (
      "id" text primary key,
      "user_id" text not null,
      "network" text not null,
      "address" text not null,
      "label" text null,
      "usable_at" timestamptz not null,
      "created_at" timestamptz not null default now(),
      unique ("user_id", "network", "address"))`);

    this.addSql(`create table "wallet"."price" (
      "coin" text not null,
      "quote" text not null,
      "value" numeric not null check ("value" > 0),
      "observed_at" timestamptz not null,
      primary key ("coin", "quote"))`);
  }
}
