import type { NatsConnection } from 'nats';
import type { Redis } from 'ioredis';
import type { MarketConfig } from '../../platform/config/config.js';
import { ensureDatabase } from '../../platform/db/database.js';
import { databaseSource, migrateSubgraph, openSubgraphDatabase, pingDatabase } from '../../platform/db/orm.js';
import type { DatabaseSource } from '../../platform/http/metrics.js';
import type { Logger } from '../../platform/logger.js';
import type { PriceSource } from '../../providers/price-source.port.js';
import { buildMarketServices, marketSubgraph } from './app.js';
import { CandleStore } from './chart/candle.store.js';
import type { RefreshResult } from './price/price.feed.js';

/**
 * The market subgraph's public ports: what other processes may use of it. Everything else under
 * subgraphs/market/ is internal (the price-feed worker reaches prices and candles only through `PriceFeedPort`).
 */

export type { RefreshResult };

/** Retention of stored ticks and candles, in days (a candle's per timeframe). */
export type PriceRetention = Parameters<CandleStore['prune']>[2];

/**
 * The price feed a worker drives: one refresh under the refresh lock shared with the market subgraph
 * (fetch every provider, cache the medians, store ticks and candles, publish `market.price.updated`), and
 * pruning of old ticks and candles.
 */
export interface PriceFeedPort {
  /** One refresh; null when another process held the lock, 'failed' when it threw (after `onFailure`). */
  refreshIfUnlocked(onFailure: (err: unknown) => void): Promise<RefreshResult | 'failed' | null>;
  /** Deletes ticks and candles older than their retention; resolves with how many rows went. */
  prune(now: Date, retention: PriceRetention): Promise<number>;
  ping(): Promise<void>;
  /** Its pool and statements, for `Metrics.trackDatabase`. */
  database: DatabaseSource;
  close(): Promise<void>;
}

export interface PriceFeedDeps {
  /** The price settings, Redis and NATS prefixes the subgraph uses, and the database. */
  config: Pick<MarketConfig, 'prices' | 'redis' | 'nats'> & { database: { url: string } };
  log: Logger;
  redis: Redis;
  nats: NatsConnection;
  /** Price sources instead of the configured providers (tests). */
  sources?: readonly PriceSource[];
  poolMax?: number;
}

/**
 * Opens the market schema (creating the database and applying the market migrations when missing, a no-op
 * when the subgraph already did; safe concurrently) and returns the feed over the caller's Redis and NATS.
 */
export async function openPriceFeed(deps: PriceFeedDeps): Promise<PriceFeedPort> {
  const { config, log, redis, nats, sources, poolMax = 2 } = deps;
  await ensureDatabase(config.database.url);
  const orm = await openSubgraphDatabase({
    schema: marketSubgraph.name,
    url: config.database.url,
    poolMax,
    entities: marketSubgraph.entities,
    migrations: marketSubgraph.migrations,
    log,
  });
  await migrateSubgraph(orm, marketSubgraph.name);
  const { feed } = buildMarketServices({ config, redis, log, nats, orm }, sources ? { sources } : {});
  const store = new CandleStore();
  return {
    refreshIfUnlocked: (onFailure) => feed.refreshIfUnlocked(onFailure),
    prune: (now, retention) => store.prune(orm.em.fork(), now, retention),
    ping: () => pingDatabase(orm),
    database: databaseSource(orm),
    close: () => orm.close(true),
  };
}
