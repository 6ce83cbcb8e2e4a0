import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import type { MarketConfig } from '../../platform/config/config.js';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/service/subgraph.js';
import { createPriceSources } from '../../providers/prices.config.js';
import type { PriceSource } from '../../providers/price-source.port.js';
import { marketMigrations } from '../../migrations/market/index.js';
import { Asset } from './asset/asset.entity.js';
import { assetReference } from './asset/asset.reference.js';
import { AssetResolver } from './asset/asset.resolver.js';
import { AssetService } from './asset/asset.service.js';
import { AssetChartResolver } from './chart/chart.resolver.js';
import { ChartService } from './chart/chart.service.js';
import type { MarketServices } from './context.js';
import { PriceCache } from './price/price.cache.js';
import { PriceFeed } from './price/price.feed.js';
import { AssetPriceResolver, PriceResolver } from './price/price.resolver.js';
import { PriceService } from './price/price.service.js';

/** Longest one refresh may hold the lock: provider timeout (5 s) × 3 attempts plus back-off, with margin. */
const REFRESH_LOCK_MS = 30_000;

export interface MarketServiceOptions {
  /** Price sources to use instead of the configured providers (tests). */
  sources?: readonly PriceSource[];
  now?: () => Date;
}

/** The market's services; the price feed builds them too, from its own configuration (the same prices, redis and nats). */
export function buildMarketServices(
  deps: Pick<SubgraphDeps, 'redis' | 'log' | 'nats' | 'orm'> & {
    config: Pick<MarketConfig, 'prices' | 'redis' | 'nats'>;
  },
  options: MarketServiceOptions = {},
): MarketServices {
  const { config, redis, log, nats, orm } = deps;
  const settings = config.prices;
  const sources = options.sources ?? createPriceSources(settings.providers, { log }).all;
  const cache = new PriceCache(redis, {
    keyPrefix: config.redis.keyPrefix,
    ttlSeconds: settings.cacheTtlSeconds,
    problemTtlSeconds: Math.min(5, settings.cacheTtlSeconds),
    lockTtlMs: REFRESH_LOCK_MS,
  });
  const now = options.now ?? (() => new Date());
  const feed = new PriceFeed({
    sources,
    cache,
    em: () => orm.em.fork(),
    nats,
    subjectPrefix: config.nats.subjectPrefix,
    maxAgeMs: settings.maxAgeSeconds * 1000,
    log: log.child({ component: 'price-feed' }),
    now,
  });
  const prices = new PriceService(cache, feed, { maxAgeSeconds: settings.maxAgeSeconds, log, now });
  return { assets: new AssetService(), prices, charts: new ChartService(undefined, now), feed, cache };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildMarketSchema() {
  return buildSubgraph({
    resolvers: [AssetResolver, AssetPriceResolver, AssetChartResolver, PriceResolver],
    references: { Asset: assetReference },
  });
}

export const marketSubgraph: SubgraphDefinition<MarketConfig> = {
  name: 'market',
  entities: [Asset],
  migrations: marketMigrations,
  async build(deps) {
    const services = buildMarketServices(deps);
    const schema = await buildMarketSchema();
    return { schema, context: () => ({ market: services }) };
  },
};
