import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { AssetService } from './asset/asset.service.js';

export interface MarketServices {
  assets: AssetService;
}

export interface MarketContext extends SubgraphContext {
  market: MarketServices;
}
