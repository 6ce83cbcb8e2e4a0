import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import type { WalletContext } from '../context.js';
import { AssetReserveType } from './reserve.type.js';

@Resolver()
export class ReserveResolver {
  @Query(() => [AssetReserveType], {
    description:
      'Staff (FINANCE, admins): on-chain holdings per crypto asset (every one when null) joined with the ledger’s liabilities.',
  })
  async reserves(
    @Arg('assets', () => [String], { nullable: true }) assets: string[] | null,
    @Ctx() ctx: WalletContext,
  ): Promise<AssetReserveType[]> {
    return (await ctx.wallet.holdings.of(ctx.em, ctx.viewer, assets)).map(AssetReserveType.from);
  }
}

/** `AssetReserve` by asset (what `@requires` on the ledger's `surplus` may ask for): every asset of the request in one read. */
export const assetReserveReference = batchedReference<AssetReserveType, WalletContext>(
  'AssetReserve',
  'asset',
  async (assets, ctx) => {
    const holdings = await ctx.wallet.holdings.of(ctx.em, ctx.viewer, assets);
    const byAsset = new Map(holdings.map((h) => [h.asset, AssetReserveType.from(h)]));
    return assets.map((a) => byAsset.get(a) ?? null);
  },
);
