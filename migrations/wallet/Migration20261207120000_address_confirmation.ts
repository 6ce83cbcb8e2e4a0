import { Migration } from '@mikro-orm/migrations';

/**
 * Phone-code confirmation of withdrawal addresses. `verified_phone`: each user's verified number as kyc announced it
 * (`kyc.phone.verified`), sealed (`phone_enc`, AES-256-GCM under WALLET_DATA_KEYS, bound to the row); the newest
 * verification wins. `address_code`: one-time codes sent for an address, stored as HMAC only, with expiry, wrong
 * guesses and lock. `withdrawal_address.confirmed_at`: the address was confirmed by code (usable at once).
 */
export class Migration20261207120000_address_confirmation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "wallet"."verified_phone" (
      "user_id" text primary key,
      "phone_enc" text not null check ("phone_enc" like 'e1.%'),
      "verified_at" timestamptz not null,
      "updated_at" timestamptz not null default now())`);
    this.addSql(`alter table "wallet"."withdrawal_address" add column "confirmed_at" timestamptz null`);
    this.addSql(`create table "wallet"."address_code" (
      "id" text primary key,
      "address_id" text not null references "wallet"."withdrawal_address" ("id"),
      "user_id" text not null,
      "code_hash" text not null,
      "expires_at" timestamptz not null,
      "attempts" int not null default 0 check ("attempts" >= 0),
      "locked_at" timestamptz null,
      "consumed_at" timestamptz null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "address_code_open_idx" on "wallet"."address_code" ("address_id", "created_at" desc)`);
  }
}
