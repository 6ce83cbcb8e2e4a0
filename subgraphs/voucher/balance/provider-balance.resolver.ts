import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { VOUCHER_CURRENCY_DECIMALS } from '../../../providers/vouchers/index.js';
import type { VoucherContext } from '../context.js';

@ObjectType('VoucherProviderBalance')
export class VoucherProviderBalanceType {
  @Field(() => String)
  provider!: string;

  @Field(() => String, { description: "The provider's coin or wallet (HotVoucher, UUSD, U…)." })
  asset!: string;

  @Field(() => String, { description: 'IRT, USD or CRP.' })
  currency!: string;

  @Field(() => AmountScalar, { description: 'Spendable now, in `currency`.' })
  available!: string;

  @Field(() => AmountScalar, { nullable: true, description: 'VOUCHER_LOW_BALANCE for this currency.' })
  threshold!: string | null;

  @Field(() => Boolean)
  low!: boolean;
}

@Resolver()
export class ProviderBalanceResolver {
  @Query(() => [VoucherProviderBalanceType], {
    description:
      "Staff (FINANCE or vouchers:rates): the platform's balances at the voucher providers, low ones flagged.",
  })
  async voucherProviderBalances(@Ctx() ctx: VoucherContext): Promise<VoucherProviderBalanceType[]> {
    ctx.vouchers.balances.authorize(ctx.viewer);
    return (await ctx.vouchers.balances.read()).map((b) =>
      Object.assign(new VoucherProviderBalanceType(), {
        provider: b.provider,
        asset: b.asset,
        currency: b.currency,
        available: formatAmount(b.available, VOUCHER_CURRENCY_DECIMALS[b.currency]),
        threshold: b.threshold === null ? null : formatAmount(b.threshold, VOUCHER_CURRENCY_DECIMALS[b.currency]),
        low: b.low,
      }),
    );
  }
}
