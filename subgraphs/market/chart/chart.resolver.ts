import { Args, ArgsType, Ctx, Field, FieldResolver, Resolver, Root } from 'type-graphql';
import { AssetType } from '../asset/asset.type.js';
import type { MarketContext } from '../context.js';
import { QuoteEnum } from '../price/price.type.js';
import { CandleType, TimeframeEnum } from './candle.type.js';

@ArgsType()
export class ChartArgs {
  @Field(() => TimeframeEnum)
  timeframe!: TimeframeEnum;

  @Field(() => QuoteEnum, { defaultValue: QuoteEnum.IRT })
  quote!: QuoteEnum;

  @Field(() => Date, { nullable: true, description: 'Default: 120 buckets before `to`.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Default: now.' })
  to?: Date | null;
}

@Resolver(() => AssetType)
export class AssetChartResolver {
  @FieldResolver(() => [CandleType], {
    description: 'Candles of the platform price over [from, to), oldest first; at most 1,000.',
  })
  async chart(
    @Root() asset: AssetType,
    @Args(() => ChartArgs) args: ChartArgs,
    @Ctx() ctx: MarketContext,
  ): Promise<CandleType[]> {
    const candles = await ctx.market.charts.chart(ctx.em, {
      coin: asset.coin,
      quote: args.quote,
      timeframe: args.timeframe,
      from: args.from ?? null,
      to: args.to ?? null,
    });
    return candles.map(CandleType.from);
  }
}
