import { Migration } from '@mikro-orm/migrations';

/**
 * Price history: every aggregated price the feed computes is a tick; candles (OHLC per timeframe) are
 * maintained from the ticks as they are stored, so a chart is a range read however long the history is.
 * Ticks and candles are pruned by age (config: PRICE_TICK_RETENTION_DAYS, CANDLE_*_RETENTION_DAYS).
 */
export class Migration20261122010000_prices extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "market"."price_tick" (
      "id" bigint generated always as identity primary key,
      "coin" text not null,
      "quote" text not null check ("quote" in ('USD', 'IRT')),
      "at" timestamptz not null,
      "price" numeric not null check ("price" > 0),
      "change_24h" numeric null,
      "source_count" smallint not null check ("source_count" > 0),
      "updated_at" timestamptz not null)`);
    this.addSql(`create index "price_tick_pair_at_index" on "market"."price_tick" ("coin", "quote", "at")`);
    this.addSql(`create index "price_tick_at_index" on "market"."price_tick" using brin ("at")`);
    this.addSql(`create table "market"."candle" (
      "coin" text not null,
      "quote" text not null check ("quote" in ('USD', 'IRT')),
      "timeframe" text not null check ("timeframe" in ('M1', 'M5', 'H1', 'D1')),
      "bucket" timestamptz not null,
      "open" numeric not null,
      "high" numeric not null,
      "low" numeric not null,
      "close" numeric not null,
      "open_at" timestamptz not null,
      "close_at" timestamptz not null,
      "tick_count" integer not null check ("tick_count" > 0),
      primary key ("coin", "quote", "timeframe", "bucket"),
      check ("low" <= "open" and "low" <= "close" and "high" >= "open" and "high" >= "close"))`);
    this.addSql(`create index "candle_timeframe_bucket_index" on "market"."candle" ("timeframe", "bucket")`);
  }
}
