import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { unauthenticated } from '../../../platform/errors.js';
import type { VoucherType } from '../../../providers/vouchers/index.js';
import type { VoucherContext } from '../context.js';
import { VoucherTypeEnum } from '../voucher/voucher.type.js';
import type { RateCurrency } from './pricing.js';
import { SetVoucherRateInput, VoucherRateType } from './rate.type.js';

@Resolver(() => VoucherRateType)
export class RateResolver {
  @Query(() => [VoucherRateType], {
    description: 'The latest rate per type, side and currency (stale ones flagged). Signed-in users.',
  })
  async voucherRates(
    @Arg('type', () => VoucherTypeEnum, { nullable: true }) type: VoucherTypeEnum | null,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherRateType[]> {
    if (!ctx.viewer.userId) throw unauthenticated();
    return (await ctx.vouchers.rates.latest(ctx.em, (type as VoucherType | null) ?? null)).map(VoucherRateType.from);
  }

  @Mutation(() => VoucherRateType, { description: 'Staff with vouchers:rates: a new rate (append-only history).' })
  async setVoucherRate(
    @Arg('input', () => SetVoucherRateInput) input: SetVoucherRateInput,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherRateType> {
    const rate = await ctx.vouchers.rates.set(ctx.em, ctx.viewer, {
      type: input.type as VoucherType,
      side: input.side,
      currency: input.currency as RateCurrency,
      price: input.price,
      validFrom: input.validFrom ?? null,
      validUntil: input.validUntil,
    });
    return VoucherRateType.from(rate);
  }
}
