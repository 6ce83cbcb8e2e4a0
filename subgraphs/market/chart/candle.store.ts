import type { EntityManager } from '@mikro-orm/postgresql';
import { formatDecimal } from '../../../providers/http/scaled-decimal.js';
import type { AggregatedPrice, Coin, Quote } from '../price/price.model.js';

export type Timeframe = 'M1' | 'M5' | 'H1' | 'D1';
export const TIMEFRAMES: readonly Timeframe[] = ['M1', 'M5', 'H1', 'D1'];
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  M1: 60_000,
  M5: 300_000,
  H1: 3_600_000,
  D1: 86_400_000,
};

/** Buckets are aligned to this origin: whole minutes, hours and UTC days. */
const BUCKET_ORIGIN = `timestamptz '2000-01-01 00:00:00+00'`;
const WIDTHS = `(values ('M1', interval '1 minute'), ('M5', interval '5 minutes'), ('H1', interval '1 hour'), ('D1', interval '1 day')) as tf(timeframe, width)`;

export interface Candle {
  /** Start of the bucket. */
  time: Date;
  open: string;
  high: string;
  low: string;
  close: string;
  tickCount: number;
}

export interface Tick {
  coin: Coin;
  quote: Quote;
  /** When the price held (bucketing time). */
  at: Date;
  price: string;
  change24h: string | null;
  sourceCount: number;
  updatedAt: Date;
}

export function tickOf(price: AggregatedPrice): Tick {
  return {
    coin: price.coin,
    quote: price.quote,
    at: price.computedAt,
    price: formatDecimal(price.value),
    change24h: price.change24hPercent ? formatDecimal(price.change24hPercent) : null,
    sourceCount: price.sources.length,
    updatedAt: price.updatedAt,
  };
}

/**
 * Ticks and the candles built from them, in one statement per batch: the ticks are inserted, grouped per
 * (pair, timeframe, bucket) and merged into existing candles. The merge keeps the earliest tick's price as
 * open and the latest's as close whatever order ticks arrive in, so late or concurrent writers agree.
 */
export class CandleStore {
  async record(em: EntityManager, ticks: readonly Tick[]): Promise<void> {
    if (!ticks.length) return;
    const rows = ticks.map((t) => ({
      coin: t.coin,
      quote: t.quote,
      at: t.at.toISOString(),
      price: t.price,
      change_24h: t.change24h,
      source_count: t.sourceCount,
      updated_at: t.updatedAt.toISOString(),
    }));
    await em.getConnection().execute(
      `with input as (
         select * from jsonb_to_recordset(?::jsonb) as t(coin text, quote text, at timestamptz, price numeric, change_24h numeric, source_count smallint, updated_at timestamptz)
       ), ticks as (
         insert into "market"."price_tick" ("coin", "quote", "at", "price", "change_24h", "source_count", "updated_at")
         select coin, quote, at, price, change_24h, source_count, updated_at from input
         returning "id", "coin", "quote", "at", "price"
       ), binned as (
         select t.coin, t.quote, tf.timeframe, date_bin(tf.width, t.at, ${BUCKET_ORIGIN}) as bucket, t.price, t.at, t.id
         from ticks t cross join ${WIDTHS}
       ), grouped as (
         select coin, quote, timeframe, bucket,
           (array_agg(price order by at, id))[1] as open,
           max(price) as high,
           min(price) as low,
           (array_agg(price order by at desc, id desc))[1] as close,
           min(at) as open_at,
           max(at) as close_at,
           count(*)::integer as tick_count
         from binned group by coin, quote, timeframe, bucket
       )
       insert into "market"."candle" as c ("coin", "quote", "timeframe", "bucket", "open", "high", "low", "close", "open_at", "close_at", "tick_count")
       select coin, quote, timeframe, bucket, open, high, low, close, open_at, close_at, tick_count from grouped
       on conflict ("coin", "quote", "timeframe", "bucket") do update set
         "open" = case when excluded."open_at" < c."open_at" then excluded."open" else c."open" end,
         "open_at" = least(c."open_at", excluded."open_at"),
         "high" = greatest(c."high", excluded."high"),
         "low" = least(c."low", excluded."low"),
         "close" = case when excluded."close_at" >= c."close_at" then excluded."close" else c."close" end,
         "close_at" = greatest(c."close_at", excluded."close_at"),
         "tick_count" = c."tick_count" + excluded."tick_count"`,
      [JSON.stringify(rows)],
    );
  }

  /** Candles of one pair whose bucket overlaps [from, to), oldest first. */
  async range(
    em: EntityManager,
    coin: Coin,
    quote: Quote,
    timeframe: Timeframe,
    from: Date,
    to: Date,
  ): Promise<Candle[]> {
    const rows = await em
      .getConnection()
      .execute<{ ms: string; open: string; high: string; low: string; close: string; tick_count: number }[]>(
        `select (extract(epoch from "bucket") * 1000)::bigint as ms, "open"::text, "high"::text, "low"::text, "close"::text, "tick_count"
       from "market"."candle"
       where "coin" = ? and "quote" = ? and "timeframe" = ? and "bucket" > ?::timestamptz - ?::interval and "bucket" < ?::timestamptz
       order by "bucket"`,
        [coin, quote, timeframe, from.toISOString(), `${TIMEFRAME_MS[timeframe]} milliseconds`, to.toISOString()],
      );
    return rows.map((r) => ({
      time: new Date(Number(r.ms)),
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      tickCount: Number(r.tick_count),
    }));
  }

  /**
   * Deletes ticks and candles past their retention, in batches so no statement holds locks for long.
   * Returns how many rows went.
   */
  async prune(
    em: EntityManager,
    now: Date,
    retention: { tickDays: number; candleDays: Readonly<Record<Timeframe, number>> },
    batch = 10_000,
  ): Promise<number> {
    const conn = em.getConnection();
    const day = 86_400_000;
    let removed = 0;
    const loop = async (sql: string, params: unknown[]) => {
      for (;;) {
        const res = await conn.execute<{ n: string }[]>(sql, [...params, batch]);
        const n = Number(res[0]?.n ?? 0);
        removed += n;
        if (n < batch) return;
      }
    };
    await loop(
      `with gone as (delete from "market"."price_tick" where "id" in (select "id" from "market"."price_tick" where "at" < ?::timestamptz limit ?) returning 1) select count(*) as n from gone`,
      [new Date(now.getTime() - retention.tickDays * day).toISOString()],
    );
    for (const tf of TIMEFRAMES) {
      const days = retention.candleDays[tf];
      if (days <= 0) continue;
      await loop(
        `with gone as (delete from "market"."candle" where ctid in (select ctid from "market"."candle" where "timeframe" = ? and "bucket" < ?::timestamptz limit ?) returning 1) select count(*) as n from gone`,
        [tf, new Date(now.getTime() - days * day).toISOString()],
      );
    }
    return removed;
  }
}
