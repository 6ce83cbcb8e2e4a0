import type { DomainError } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { priceStale, priceUnavailable } from './price.errors.js';
import type { PriceCache } from './price.cache.js';
import type { PriceFeed } from './price.feed.js';
import type { AggregatedPrice, CachedEntry, PricePair } from './price.model.js';

export interface PriceServiceOptions {
  maxAgeSeconds: number;
  log: Logger;
  now?: () => Date;
}

/**
 * Reads prices for clients: from the Redis cache; on a miss, one refresh (single-flight in this process,
 * the cache's lock across processes) and a second read. Never quotes a price older than the maximum age.
 */
export class PriceService {
  private refreshing: Promise<void> | null = null;
  private readonly now: () => Date;

  constructor(
    private readonly cache: PriceCache,
    private readonly feed: PriceFeed,
    private readonly options: PriceServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** One result per pair, in order: the price, or the DomainError explaining why there is none. */
  async prices(pairs: readonly PricePair[]): Promise<(AggregatedPrice | DomainError)[]> {
    const entries = await this.cache.read(pairs);
    const missing = pairs.map((_, i) => i).filter((i) => !this.usable(entries[i] ?? null));
    if (missing.length) {
      await this.refreshOnce();
      const again = await this.cache.read(missing.map((i) => pairs[i]!));
      missing.forEach((index, j) => (entries[index] = again[j] ?? null));
    }
    return pairs.map((pair, i) => this.outcome(pair, entries[i] ?? null));
  }

  /** A fresh price or a remembered problem can be answered from the cache; nothing or an aged price cannot. */
  private usable(entry: CachedEntry | null): boolean {
    if (!entry) return false;
    return 'problem' in entry || this.fresh(entry.price);
  }

  private fresh(price: AggregatedPrice): boolean {
    return this.now().getTime() - price.updatedAt.getTime() <= this.options.maxAgeSeconds * 1000;
  }

  private outcome(pair: PricePair, entry: CachedEntry | null): AggregatedPrice | DomainError {
    if (!entry) return priceUnavailable(pair);
    if ('price' in entry)
      return this.fresh(entry.price)
        ? entry.price
        : priceStale(pair, entry.price.updatedAt, this.options.maxAgeSeconds);
    if (entry.problem.kind === 'stale')
      return priceStale(pair, entry.problem.newestObservedAt, this.options.maxAgeSeconds);
    return priceUnavailable(pair);
  }

  private refreshOnce(): Promise<void> {
    this.refreshing ??= (async () => {
      const round = await this.feed.refreshIfUnlocked((err) => this.options.log.error({ err }, 'price refresh failed'));
      if (round === null) await this.cache.waitUnlocked(); // another process is refreshing: its result is what we read next
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }
}
