import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { AssetService } from './asset/asset.service.js';
import type { ChartService } from './chart/chart.service.js';
import type { PriceCache } from './price/price.cache.js';
import type { PriceFeed } from './price/price.feed.js';
import type { PriceService } from './price/price.service.js';

export interface MarketServices {
  assets: AssetService;
  prices: PriceService;
  charts: ChartService;
  feed: PriceFeed;
  cache: PriceCache;
}

export interface MarketContext extends SubgraphContext {
  market: MarketServices;
}
