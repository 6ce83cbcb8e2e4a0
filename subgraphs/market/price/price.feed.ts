import type { EntityManager } from '@mikro-orm/postgresql';
import type { NatsConnection } from 'nats';
import { makeEvent } from '../../../platform/bus/envelope.js';
import type { Logger } from '../../../platform/logger.js';
import { decimalEquals, formatDecimal } from '../../../providers/http/scaled-decimal.js';
import type { PriceQuote, PriceSource } from '../../../providers/price-source.port.js';
import { CandleStore, tickOf } from '../chart/candle.store.js';
import { aggregateQuotes } from './price.aggregate.js';
import type { PriceCache } from './price.cache.js';
import {
  ALL_PAIRS,
  PRICED_COINS,
  PRICE_UPDATED_SUBJECT,
  QUOTES,
  pairKey,
  type AggregatedPrice,
  type PriceProblem,
  type PriceUpdatedPayload,
} from './price.model.js';

export interface PriceFeedDeps {
  sources: readonly PriceSource[];
  cache: PriceCache;
  /** A fresh EntityManager per refresh (ticks and candles). */
  em: () => EntityManager;
  nats: NatsConnection;
  subjectPrefix: string;
  maxAgeMs: number;
  log: Logger;
  now?: () => Date;
  candles?: CandleStore;
}

export interface RefreshResult {
  prices: AggregatedPrice[];
  problems: PriceProblem[];
  /** Pairs whose price changed and were published. */
  published: number;
  failures: { source: string; error: string }[];
}

/**
 * One refresh of every price: one call per provider and quote it supports (all coins in one request),
 * median of the fresh answers, cache, ticks and candles, and `market.price.updated` for each pair that
 * changed. The feed worker runs it on a timer; the subgraph runs it when a reader finds the cache empty.
 * Both go through refreshIfUnlocked, under the cache's refresh lock, so across processes one refresh runs at a time.
 */
export class PriceFeed {
  private readonly candles: CandleStore;
  private readonly now: () => Date;

  constructor(private readonly deps: PriceFeedDeps) {
    this.candles = deps.candles ?? new CandleStore();
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * refresh() under the cache's refresh lock: null, fetching nothing, when another process holds it. A failed
   * refresh is handed to `onFailure` (the lock still held) and yields 'failed'; the lock is released either way.
   */
  async refreshIfUnlocked(onFailure: (err: unknown) => void): Promise<RefreshResult | 'failed' | null> {
    const release = await this.deps.cache.tryLock();
    if (!release) return null;
    try {
      return await this.refresh();
    } catch (err) {
      onFailure(err);
      return 'failed';
    } finally {
      await release();
    }
  }

  async refresh(): Promise<RefreshResult> {
    const { sources, cache, log } = this.deps;
    const calls = sources.flatMap((source) =>
      QUOTES.filter((q) => source.supportedQuotes.includes(q)).map((quote) => ({ source, quote })),
    );
    const settled = await Promise.allSettled(calls.map(({ source, quote }) => source.quotes(PRICED_COINS, quote)));
    const quotes: PriceQuote[] = [];
    const failures: RefreshResult['failures'] = [];
    settled.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') quotes.push(...outcome.value);
      else
        failures.push({
          source: calls[i]!.source.name,
          error: (outcome.reason as Error)?.message ?? String(outcome.reason),
        });
    });
    if (failures.length) log.warn({ failures }, 'price sources failed');

    const { prices, problems } = aggregateQuotes(quotes, ALL_PAIRS, this.now(), this.deps.maxAgeMs);
    const previous = await cache.read(prices);
    await cache.write(prices, problems);
    try {
      await this.candles.record(this.deps.em(), prices.map(tickOf));
    } catch (err) {
      log.error({ err }, 'could not store price ticks');
    }
    let published = 0;
    prices.forEach((price, i) => {
      const before = previous[i];
      const old = before && 'price' in before ? before.price : null;
      if (old && sameFigures(old, price)) return;
      this.publish(price);
      published += 1;
    });
    if (problems.length)
      log.warn({ problems: problems.map((p) => `${pairKey(p.pair)}:${p.kind}`) }, 'pairs without a fresh price');
    return { prices, problems, published, failures };
  }

  private publish(price: AggregatedPrice): void {
    const payload: PriceUpdatedPayload = {
      coin: price.coin,
      quote: price.quote,
      value: formatDecimal(price.value),
      change24h: price.change24hPercent ? formatDecimal(price.change24hPercent) : null,
      sourceCount: price.sources.length,
      updatedAt: price.updatedAt.toISOString(),
    };
    const event = makeEvent(PRICE_UPDATED_SUBJECT, 'market', payload);
    this.deps.nats.publish(this.deps.subjectPrefix + PRICE_UPDATED_SUBJECT, JSON.stringify(event));
  }
}

function sameFigures(a: AggregatedPrice, b: AggregatedPrice): boolean {
  const change =
    a.change24hPercent && b.change24hPercent
      ? decimalEquals(a.change24hPercent, b.change24hPercent)
      : a.change24hPercent === b.change24hPercent;
  return decimalEquals(a.value, b.value) && change && a.sources.join() === b.sources.join();
}
