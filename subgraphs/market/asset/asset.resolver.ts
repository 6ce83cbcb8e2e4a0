import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { MarketContext } from '../context.js';
import { AssetType, UpdateAssetInput } from './asset.type.js';

@Resolver(() => AssetType)
export class AssetResolver {
  @Query(() => [AssetType], { description: 'Every asset in catalogue order; `enabled` filters.' })
  async assets(
    @Arg('enabled', () => Boolean, { nullable: true }) enabled: boolean | null,
    @Ctx() ctx: MarketContext,
  ): Promise<AssetType[]> {
    return (await ctx.market.assets.list(ctx.em, { enabled })).map(AssetType.from);
  }

  @Query(() => AssetType, {
    nullable: true,
    description: 'One asset by symbol (TON, USDT_TRON, IRT, …); null if there is none.',
  })
  async asset(@Arg('symbol', () => String) symbol: string, @Ctx() ctx: MarketContext): Promise<AssetType | null> {
    const asset = await ctx.market.assets.bySymbol(ctx.em, symbol);
    return asset ? AssetType.from(asset) : null;
  }

  @Mutation(() => AssetType, { description: 'ADMIN: enable or disable an asset, change its minimum deposit or icon.' })
  async updateAsset(
    @Arg('input', () => UpdateAssetInput) input: UpdateAssetInput,
    @Ctx() ctx: MarketContext,
  ): Promise<AssetType> {
    return AssetType.from(await ctx.market.assets.update(ctx.em, ctx.viewer, input));
  }
}
