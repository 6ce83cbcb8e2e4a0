import { Migration } from '@mikro-orm/migrations';

const SEALED = `'^v1\\.[A-Za-z0-9._-]{1,64}\\.[A-Za-z0-9+/]{16}\\.[A-Za-z0-9+/]*={0,2}\\.[A-Za-z0-9+/]{22}==$'`;

/**
 * Personal data leaves the clear: names, national ID, birth date and phone of a submission become AES-256-GCM
 * ciphertext (sealed by the kyc process with KYC_DATA_KEYS, bound to the row and field), and the national ID
 * gets a blind index (HMAC-SHA256, KYC_BLIND_INDEX_KEY) for lookups. `national_id_claim` gives each national
 * ID, by its index, to one user: the first approval claims it.
 *
 * The database never holds the keys, so this migration cannot seal existing plaintext: it refuses to run
 * while kyc_submission holds rows (no release stored any; the subgraph and this change ship together).
 */
export class Migration20261207120000_seal_personal_data extends Migration {
  override async up(): Promise<void> {
    this.addSql(`do $$ begin
      if exists (select 1 from "kyc"."kyc_submission") then
        raise exception 'kyc_submission holds plaintext personal data: seal it with the kyc process before this migration';
      end if;
    end $$`);
    this.addSql(`alter table "kyc"."kyc_submission"
      drop column "first_name", drop column "last_name", drop column "national_id",
      drop column "birth_date", drop column "phone",
      add column "first_name_enc" text not null check ("first_name_enc" ~ ${SEALED}),
      add column "last_name_enc" text not null check ("last_name_enc" ~ ${SEALED}),
      add column "national_id_enc" text not null check ("national_id_enc" ~ ${SEALED}),
      add column "birth_date_enc" text not null check ("birth_date_enc" ~ ${SEALED}),
      add column "phone_enc" text not null check ("phone_enc" ~ ${SEALED}),
      add column "national_id_index" text not null check ("national_id_index" ~ '^[A-Za-z0-9+/]{43}=$')`);
    this.addSql(`create index "kyc_submission_national_id_index" on "kyc"."kyc_submission" ("national_id_index")`);
    this.addSql(`create table "kyc"."national_id_claim" (
      "national_id_index" text primary key,
      "user_id" text not null,
      "submission_id" text not null references "kyc"."kyc_submission" ("id"),
      "claimed_at" timestamptz not null default now())`);
    this.addSql(`create index "national_id_claim_user_index" on "kyc"."national_id_claim" ("user_id")`);
  }
}
