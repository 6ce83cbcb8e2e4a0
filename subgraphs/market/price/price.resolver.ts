import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { DomainError, badInput } from '../../../platform/errors.js';
import { byKeys } from '../../../platform/graphql/loaders.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { isAssetSymbol } from '../../../providers/price-source.port.js';
import type { Asset } from '../asset/asset.entity.js';
import { AssetType } from '../asset/asset.type.js';
import type { MarketContext } from '../context.js';
import { pairKey, type AggregatedPrice, type PricePair } from './price.model.js';
import { PriceType, QuoteEnum } from './price.type.js';

const MAX_SYMBOLS = 50;

@ArgsType()
class PricesArgs {
  @Field(() => [String], { description: 'Asset symbols (TON, USDT_TRON, …).' })
  symbols!: string[];

  @Field(() => QuoteEnum)
  quote!: QuoteEnum;
}

@ArgsType()
class PriceArgs {
  @Field(() => String)
  symbol!: string;

  @Field(() => QuoteEnum)
  quote!: QuoteEnum;
}

/** Loads prices for one request through a DataLoader: every price in a query costs one cache read together. */
function loadPrice(ctx: MarketContext, pair: PricePair): Promise<AggregatedPrice | null> {
  const loader = ctx.loaders.get<AggregatedPrice>('price', async (keys) => {
    const pairs = keys.map((k) => {
      const [coin, quote] = k.split('/') as [PricePair['coin'], PricePair['quote']];
      return { coin, quote };
    });
    // DataLoader rejects the loads whose result is an Error, and only those
    return (await ctx.market.prices.prices(pairs)) as (AggregatedPrice | null)[];
  });
  return loader.load(pairKey(pair));
}

/** The asset row (enabled, minimum deposit, icon) for `Price.asset`. */
function loadAsset(ctx: MarketContext, symbol: string): Promise<Asset | null> {
  return ctx.loaders
    .get<Asset>('asset', async (symbols) => {
      const assets = await ctx.market.assets.bySymbols(ctx.em, symbols);
      return byKeys(symbols, assets, (a) => a.symbol);
    })
    .load(symbol);
}

/** The price of an asset, or null when it has no market price (Toman is what prices are quoted in). */
async function priceOf(
  ctx: MarketContext,
  asset: { symbol: string; coin: string },
  quote: QuoteEnum,
): Promise<PriceType | null> {
  if (!isAssetSymbol(asset.coin)) return null;
  const price = await loadPrice(ctx, { coin: asset.coin, quote });
  return price ? PriceType.from(asset.symbol, price) : null;
}

@Resolver(() => AssetType)
export class AssetPriceResolver {
  @FieldResolver(() => PriceType, {
    nullable: true,
    description: 'Price of one unit; null for Toman. PRICE_STALE rather than an old number.',
  })
  price(
    @Root() asset: AssetType,
    @Arg('quote', () => QuoteEnum) quote: QuoteEnum,
    @Ctx() ctx: MarketContext,
  ): Promise<PriceType | null> {
    return priceOf(ctx, asset, quote);
  }
}

@Resolver(() => PriceType)
export class PriceResolver {
  @Query(() => [PriceType], {
    nullable: 'items',
    description:
      'Prices of these assets, in order; an item is null (with an error) when its price is stale or unavailable, and null for Toman.',
  })
  async prices(
    @Args(() => PricesArgs) { symbols, quote }: PricesArgs,
    @Ctx() ctx: MarketContext,
  ): Promise<(PriceType | null | Promise<PriceType | null>)[]> {
    if (symbols.length > MAX_SYMBOLS) throw badInput(`At most ${MAX_SYMBOLS} symbols`, { field: 'symbols' });
    // symbol and coin are the catalogue's (the asset table is seeded from it and updateAsset changes neither): no query
    const assets = symbols.map((s) => assetInfo(s));
    const unknown = symbols.filter((_, i) => !assets[i]);
    if (unknown.length) throw badInput(`Unknown asset ${unknown.join(', ')}`, { field: 'symbols', unknown });
    // each item is its own promise, so one stale pair nulls its item, not the whole list
    return assets.map((asset) => priceOf(ctx, asset!, quote));
  }

  @Query(() => PriceType, {
    nullable: true,
    description: 'The price of one asset (what priceUpdated pushes); null for Toman.',
  })
  async price(
    @Args(() => PriceArgs) { symbol, quote }: PriceArgs,
    @Ctx() ctx: MarketContext,
  ): Promise<PriceType | null> {
    const asset = assetInfo(symbol);
    if (!asset) throw badInput(`Unknown asset ${symbol}`, { field: 'symbol' });
    return priceOf(ctx, asset, quote);
  }

  @FieldResolver(() => AssetType)
  async asset(@Root() price: PriceType, @Ctx() ctx: MarketContext): Promise<AssetType> {
    const asset = await loadAsset(ctx, price.symbol);
    if (!asset) throw new DomainError('NOT_FOUND', `Asset ${price.symbol} not found`);
    return AssetType.from(asset);
  }
}
