import { randomBytes } from 'node:crypto';
import type { Redis } from '../../../platform/redis.js';
import {
  decodeEntry,
  encodeEntry,
  pairKey,
  type AggregatedPrice,
  type CachedEntry,
  type PricePair,
  type PriceProblem,
} from './price.model.js';

export interface PriceCacheOptions {
  keyPrefix: string;
  /** How long a price stays cached (the seed's 60 s). */
  ttlSeconds: number;
  /** How long "no price for this pair" is remembered, so a dead provider is not asked on every read. */
  problemTtlSeconds: number;
  /** Longest a refresh may hold the lock (provider timeouts × attempts, with margin). */
  lockTtlMs: number;
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Prices in Redis, one key per pair, plus the refresh lock that makes every process (subgraph replicas and
 * the feed worker) fetch upstream at most once at a time.
 */
export class PriceCache {
  private readonly lockKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly options: PriceCacheOptions,
  ) {
    this.lockKey = `${options.keyPrefix}market:price:refresh-lock`;
  }

  key(pair: PricePair): string {
    return `${this.options.keyPrefix}market:price:${pairKey(pair)}`;
  }

  async read(pairs: readonly PricePair[]): Promise<(CachedEntry | null)[]> {
    if (!pairs.length) return [];
    const texts = await this.redis.mget(...pairs.map((p) => this.key(p)));
    return pairs.map((pair, i) => {
      const text = texts[i];
      if (!text) return null;
      try {
        return decodeEntry(pair, text);
      } catch {
        return null; // unreadable: treated as missing, overwritten by the next refresh
      }
    });
  }

  /**
   * Stores fresh prices (replacing whatever was there) and problems (only where nothing is cached, so a
   * still-valid price is never replaced by "unavailable" because one refresh failed).
   */
  async write(prices: readonly AggregatedPrice[], problems: readonly PriceProblem[]): Promise<void> {
    if (!prices.length && !problems.length) return;
    const tx = this.redis.multi();
    for (const price of prices) tx.set(this.key(price), encodeEntry({ price }), 'EX', this.options.ttlSeconds);
    for (const problem of problems)
      tx.set(this.key(problem.pair), encodeEntry({ problem }), 'EX', this.options.problemTtlSeconds, 'NX');
    await tx.exec();
  }

  async clear(pairs: readonly PricePair[]): Promise<void> {
    if (pairs.length) await this.redis.del(...pairs.map((p) => this.key(p)));
  }

  /** Takes the refresh lock; returns a release function, or null when another process holds it. */
  async tryLock(): Promise<(() => Promise<void>) | null> {
    const token = randomBytes(12).toString('hex');
    const ok = await this.redis.set(this.lockKey, token, 'PX', this.options.lockTtlMs, 'NX');
    if (ok !== 'OK') return null;
    return async () => {
      await this.redis.eval(RELEASE, 1, this.lockKey, token);
    };
  }

  /** Waits until nobody holds the refresh lock (or the lock's own expiry has passed). */
  async waitUnlocked(pollMs = 25): Promise<void> {
    const deadline = Date.now() + this.options.lockTtlMs;
    while (Date.now() < deadline) {
      if (!(await this.redis.exists(this.lockKey))) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
