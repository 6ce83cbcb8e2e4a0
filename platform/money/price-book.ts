import type { EntityManager } from '@mikro-orm/postgresql';
import type { NatsConnection, Subscription } from 'nats';
import { parseEvent } from '../bus/envelope.js';
import type { LimitCurrency } from '../config/ledger-rules.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { assetInfo, type Coin } from '../money/assets.js';
import { formatDecimal, parseDecimal, type ScaledDecimal } from './scaled-decimal.js';

/** Core NATS subject the market (price feed) publishes each moved price on; never stored in JetStream. */
export const PRICE_SUBJECT = 'market.price.updated';

export interface PriceEntry {
  value: ScaledDecimal;
  observedAt: Date;
}

const pairOf = (coin: string, quote: string) => `${coin}/${quote}`;

/**
 * The latest market prices, as a service needs them to value money (the ledger: transfers against the level limits). The market
 * publishes `market.price.updated { coin, quote, value, updatedAt }` on core NATS whenever a pair moves; every
 * process subscribes, keeps the newest observation per pair in memory and in `table` (so a
 * restarted process has prices before the next update). A price is fresh while its observation (`updatedAt`,
 * the oldest source observation that went into it) is at most `maxAgeMs` old; a transfer that needs a price
 * without a fresh one is refused with PRICE_UNAVAILABLE (retryable), never let through unvalued.
 */
export class PriceBook {
  private readonly prices = new Map<string, PriceEntry>();

  /** `table`: the schema-qualified table the owning service keeps its prices in (e.g. `ledger.price`). */
  constructor(
    private readonly table: string,
    private readonly maxAgeMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!/^[a-z_]+\.[a-z_]+$/.test(table)) throw new Error(`not a schema-qualified table name: ${table}`);
  }

  /** Reads what earlier processes stored. */
  async load(em: EntityManager): Promise<void> {
    const rows = await em
      .getConnection()
      .execute<{ coin: string; quote: string; value: string; observed_at: string | Date }[]>(
        `select coin, quote, value::text as value, observed_at from ${this.table}`,
      );
    for (const r of rows)
      this.remember(r.coin, r.quote, { value: parseDecimal(r.value), observedAt: new Date(r.observed_at) });
  }

  /** Records an observation (newest wins, in memory and in the table). */
  async record(em: EntityManager, coin: string, quote: string, price: PriceEntry): Promise<void> {
    if (price.value.value <= 0n) return;
    this.remember(coin, quote, price);
    const text = formatDecimal(price.value);
    await em.getConnection().execute(
      `insert into ${this.table} as p (coin, quote, value, observed_at) values (?, ?, ?::numeric, ?)
       on conflict (coin, quote) do update set value = excluded.value, observed_at = excluded.observed_at
       where p.observed_at < excluded.observed_at`,
      [coin, quote, text, price.observedAt],
    );
  }

  /** The fresh price of a pair, or null. */
  fresh(coin: Coin, quote: LimitCurrency): PriceEntry | null {
    const entry = this.prices.get(pairOf(coin, quote));
    if (!entry) return null;
    return this.now().getTime() - entry.observedAt.getTime() <= this.maxAgeMs ? entry : null;
  }

  /** The newest observation of a pair, however old (null: never seen); trading tells stale from unavailable. */
  observation(coin: string, quote: string): PriceEntry | null {
    return this.prices.get(pairOf(coin, quote)) ?? null;
  }

  /**
   * `amount` (the asset's minor units) in the currency's minor units (`decimals`), rounded up: never
   * undervalued. USDT_* are priced as USDT; Toman is itself in IRT, and via USDT/IRT and USDT/USD in USD.
   * Throws PRICE_UNAVAILABLE when a price it needs is missing or stale.
   */
  value(asset: string, amount: bigint, currency: LimitCurrency, decimals: number): bigint {
    const info = assetInfo(asset);
    if (!info) throw new Error(`unknown asset ${asset}`);
    // value = amount / 10^assetDecimals × price × 10^decimals, as num/den
    let num = amount * 10n ** BigInt(decimals);
    let den = 10n ** BigInt(info.decimals);
    if (info.coin !== currency) {
      const direct = this.fresh(info.coin, currency);
      if (direct) {
        num *= direct.value.value;
        den *= 10n ** BigInt(direct.value.scale);
      } else if (info.coin === 'IRT' && currency === 'USD') {
        const usdtIrt = this.require('USDT', 'IRT', asset);
        const usdtUsd = this.require('USDT', 'USD', asset);
        num *= usdtUsd.value.value * 10n ** BigInt(usdtIrt.value.scale);
        den *= usdtIrt.value.value * 10n ** BigInt(usdtUsd.value.scale);
      } else {
        this.require(info.coin, currency, asset);
      }
    }
    return (num + den - 1n) / den;
  }

  private require(coin: Coin, quote: LimitCurrency, asset: string): PriceEntry {
    const entry = this.fresh(coin, quote);
    if (entry) return entry;
    throw new DomainError(
      ErrorCode.PRICE_UNAVAILABLE,
      `No fresh ${coin}/${quote} price to value ${asset} against your limits; try again shortly (same idempotencyKey)`,
      { asset, pair: pairOf(coin, quote), retryable: true },
    );
  }

  /** Keeps an observation in this process only (newest wins); `record` also stores it. */
  remember(coin: string, quote: string, price: PriceEntry): void {
    const key = pairOf(coin, quote);
    const known = this.prices.get(key);
    if (!known || known.observedAt.getTime() < price.observedAt.getTime()) this.prices.set(key, price);
  }
}

/** Subscribes one process to the market's price updates; a malformed message is logged and skipped. */
export function startPriceSubscription(deps: {
  nats: NatsConnection;
  subjectPrefix: string;
  em: () => EntityManager;
  book: PriceBook;
  log: Logger;
}): { stop(): Promise<void> } {
  const sub: Subscription = deps.nats.subscribe(deps.subjectPrefix + PRICE_SUBJECT);
  const done = (async () => {
    for await (const msg of sub) {
      try {
        const event = parseEvent(msg.data);
        const p = event.payload as { coin?: unknown; quote?: unknown; value?: unknown; updatedAt?: unknown };
        if (typeof p.coin !== 'string' || typeof p.quote !== 'string' || typeof p.value !== 'string') continue;
        const observedAt = new Date(typeof p.updatedAt === 'string' ? p.updatedAt : NaN);
        if (Number.isNaN(observedAt.getTime())) continue;
        await deps.book.record(deps.em(), p.coin, p.quote, { value: parseDecimal(p.value), observedAt });
      } catch (err) {
        deps.log.warn({ err }, 'ignoring a price update this process cannot read');
      }
    }
  })();
  return {
    async stop() {
      sub.unsubscribe();
      await done;
    },
  };
}
