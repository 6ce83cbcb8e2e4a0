import { Migration } from '@mikro-orm/migrations';

/**
 * Sequence numbers of the addresses money leaves from (EVM nonces, TON wallet seqnos), allocated durably so that
 * restarts and concurrent broadcasters never hand out the same one:
 * - `payout_sequence`: per (network, address) the next number to hand out (row-locked while allocating) and, on
 *   TON, until when the last signed message may still land (`busy_until`: the wallet's seqno is taken until then);
 * - `payout_allocation`: which payout (its reference) holds which number, so a payout signed again after a crash
 *   gets the same number back, never a second one.
 */
export class Migration20261207083000_payout_sequences extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "wallet"."payout_sequence" (
      "network" text not null,
      "address" text not null,
      "next_sequence" bigint not null check ("next_sequence" >= 0),
      "busy_until" timestamptz null,
      "updated_at" timestamptz not null default now(),
      primary key ("network", "address"))`);
    this.addSql(`create table "wallet"."payout_allocation" (
      "network" text not null,
      "address" text not null,
      "reference" text not null,
      "sequence" bigint not null check ("sequence" >= 0),
      "allocated_at" timestamptz not null default now(),
      primary key ("network", "address", "reference"),
      foreign key ("network", "address") references "wallet"."payout_sequence" ("network", "address"))`);
    this.addSql(
      `create index "payout_allocation_sequence_idx" on "wallet"."payout_allocation" ("network", "address", "sequence")`,
    );
  }
}
