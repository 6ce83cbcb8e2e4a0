import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import { byKeys } from '../../../platform/graphql/loaders.js';
import type { MarketContext } from '../context.js';
import { AssetType } from './asset.type.js';

/** `Asset` entities from other subgraphs (ledger balances, wallet deposits): one SQL query per `_entities` call. */
export const assetReference = batchedReference<AssetType, MarketContext>('Asset', 'symbol', async (symbols, ctx) => {
  const assets = await ctx.market.assets.bySymbols(ctx.em, symbols);
  return byKeys(symbols, assets.map(AssetType.from), (a) => a.symbol);
});
