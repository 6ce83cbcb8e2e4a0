import { Migration } from '@mikro-orm/migrations';

/**
 * Staff resolution of a purchase left UNDER_REVIEW (the provider's answer was lost and its lookup could not tell):
 * one staff member proposes DELIVERED (with the code found in the provider's panel, sealed) or NOT_CREATED, a second,
 * different one confirms it; at most one open or confirmed resolution per purchase. Every step is audited in an
 * append-only table.
 */
export class Migration20261207101500_resolution extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "voucher"."voucher_resolution" (
      "id" text primary key,
      "voucher_id" text not null references "voucher"."voucher" ("id"),
      "outcome" text not null check ("outcome" in ('DELIVERED', 'NOT_CREATED')),
      "code_sealed" text null,
      "code_fingerprint" text null,
      "provider_reference" text null,
      "status" text not null default 'PROPOSED' check ("status" in ('PROPOSED', 'CONFIRMED')),
      "proposed_by" text not null,
      "proposal_key" text not null,
      "request_hash" text not null,
      "proposed_at" timestamptz not null default now(),
      "confirmed_by" text null,
      "confirmed_at" timestamptz null,
      unique ("proposed_by", "proposal_key"),
      check (("outcome" = 'DELIVERED') = ("code_sealed" is not null)),
      check ("confirmed_by" is null or "confirmed_by" <> "proposed_by"))`);
    this.addSql(
      `create unique index "voucher_resolution_one_per_voucher" on "voucher"."voucher_resolution" ("voucher_id")`,
    );
    // One code is delivered by at most one resolution (keyed fingerprint, as for redeemed codes).
    this.addSql(
      `create unique index "voucher_resolution_code_once" on "voucher"."voucher_resolution" ("code_fingerprint") where "code_fingerprint" is not null`,
    );
    this.addSql(`create table "voucher"."voucher_resolution_audit" (
      "id" text primary key,
      "resolution_id" text not null references "voucher"."voucher_resolution" ("id"),
      "voucher_id" text not null,
      "actor_id" text not null,
      "action" text not null check ("action" in ('PROPOSED', 'CONFIRMED')),
      "outcome" text not null,
      "request_id" text not null,
      "at" timestamptz not null default now())`);
    this.addSql(`create or replace function "voucher".refuse_audit_change() returns trigger language plpgsql as $$
      begin raise exception 'voucher_resolution_audit is append-only'; end $$`);
    this.addSql(
      `create trigger voucher_resolution_audit_append_only before update or delete on "voucher"."voucher_resolution_audit" for each row execute function "voucher".refuse_audit_change()`,
    );
  }
}
