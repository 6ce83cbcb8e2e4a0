import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/service/subgraph.js';
import { marketMigrations } from '../../migrations/market/index.js';
import { Asset } from './asset/asset.entity.js';
import { assetReference } from './asset/asset.reference.js';
import { AssetResolver } from './asset/asset.resolver.js';
import { AssetService } from './asset/asset.service.js';
import type { MarketServices } from './context.js';

export function buildMarketServices(_deps: Pick<SubgraphDeps, 'config' | 'redis' | 'log'>): MarketServices {
  return { assets: new AssetService() };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildMarketSchema() {
  return buildSubgraph({ resolvers: [AssetResolver], references: { Asset: assetReference } });
}

export const marketSubgraph: SubgraphDefinition = {
  name: 'market',
  entities: [Asset],
  migrations: marketMigrations,
  async build(deps) {
    const services = buildMarketServices(deps);
    const schema = await buildMarketSchema();
    return { schema, context: () => ({ market: services }) };
  },
};
