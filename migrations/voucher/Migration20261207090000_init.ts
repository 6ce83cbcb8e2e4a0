import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '../../platform/bus/outbox.entity.js';

const TYPES = `'HOT', 'PS', 'UTOPIA_UUSD', 'UTOPIA_CRP', 'PERFECT_MONEY'`;
const STATUSES = `'HOLD_REQUESTED', 'HELD', 'CREATING', 'COMPLETED', 'FAILED', 'UNKNOWN', 'REDEEMING', 'PENDING', 'CONFIRMED', 'REJECTED'`;

/**
 * The voucher schema: staff-set rates (append-only history, the latest per type/side/currency is in force within
 * its validity window), purchases and redemptions (one table, `direction`), with the code sealed (envelope
 * encryption) and fingerprinted (one live redemption per code), and the audit of every code reveal.
 */
export class Migration20261207090000_init extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql('voucher')) this.addSql(sql);
    this.addSql(`create table "voucher"."voucher_rate" (
      "id" text primary key,
      "type" text not null check ("type" in (${TYPES})),
      "side" text not null check ("side" in ('BUY', 'SELL')),
      "currency" text not null check ("currency" in ('IRT', 'USD')),
      "price" text not null check ("price" ~ '^[0-9]{1,30}(\\.[0-9]{1,18})?$' and "price" !~ '^0+(\\.0+)?$'),
      "valid_from" timestamptz not null,
      "valid_until" timestamptz not null,
      "set_by" text not null,
      "created_at" timestamptz not null default now(),
      check ("valid_until" > "valid_from"))`);
    this.addSql(
      `create index "voucher_rate_current_index" on "voucher"."voucher_rate" ("type", "side", "currency", "valid_from" desc, "id" desc)`,
    );
    this.addSql(`create table "voucher"."voucher" (
      "id" text primary key,
      "user_id" text not null,
      "type" text not null check ("type" in (${TYPES})),
      "direction" text not null check ("direction" in ('BUY', 'REDEEM')),
      "status" text not null check ("status" in (${STATUSES})),
      "face_currency" text not null check ("face_currency" in ('IRT', 'USD', 'CRP')),
      "face_amount" numeric(78,0) null check ("face_amount" > 0),
      "asset" text not null,
      "asset_amount" numeric(78,0) null check ("asset_amount" > 0),
      "rate_id" text not null references "voucher"."voucher_rate" ("id"),
      "rate_price" text not null,
      "idempotency_key" text not null,
      "request_hash" text not null,
      "code_sealed" text null check ("code_sealed" like 'e1.%'),
      "code_fingerprint" text null,
      "provider" text not null,
      "provider_reference" text null,
      "reason" text null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "settled_at" timestamptz null,
      unique ("user_id", "idempotency_key"),
      check ("direction" = 'REDEEM' or "face_amount" is not null),
      check ("status" not in ('COMPLETED') or "code_sealed" is not null))`);
    this.addSql(`create index "voucher_user_index" on "voucher"."voucher" ("user_id", "created_at" desc, "id" desc)`);
    this.addSql(
      `create index "voucher_open_index" on "voucher"."voucher" ("status", "updated_at") where "status" in ('HELD', 'CREATING', 'UNKNOWN', 'REDEEMING', 'PENDING')`,
    );
    // One live redemption per code: a second one (concurrent or later) collides here, unless the first was refused.
    this.addSql(
      `create unique index "voucher_code_once" on "voucher"."voucher" ("type", "code_fingerprint") where "direction" = 'REDEEM' and "status" <> 'REJECTED'`,
    );
    // A provider's voucher is ours at most once (a lookup by amount and time cannot hand one voucher to two purchases).
    this.addSql(
      `create unique index "voucher_provider_reference_once" on "voucher"."voucher" ("provider", "provider_reference") where "direction" = 'BUY' and "provider_reference" is not null`,
    );
    this.addSql(`create table "voucher"."voucher_reveal" (
      "id" text primary key,
      "voucher_id" text not null references "voucher"."voucher" ("id"),
      "viewer_id" text not null,
      "request_id" text not null,
      "revealed_at" timestamptz not null default now())`);
    this.addSql(`create or replace function "voucher".refuse_change() returns trigger language plpgsql as $$
      begin raise exception 'voucher_reveal is append-only'; end $$`);
    this.addSql(
      `create trigger voucher_reveal_append_only before update or delete on "voucher"."voucher_reveal" for each row execute function "voucher".refuse_change()`,
    );
  }
}
