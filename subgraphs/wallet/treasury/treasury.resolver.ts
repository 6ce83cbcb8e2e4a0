import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Network } from '../../../chains/network.js';
import { NetworkEnum } from '../wallet/wallet.type.js';
import type { WalletContext } from '../context.js';
import { TreasuryPositionType } from './treasury.type.js';

@Resolver()
export class TreasuryResolver {
  @Query(() => [TreasuryPositionType], {
    description:
      'Staff (FINANCE, admins): hot, cold and in-flight per asset of the networks asked (every network when null), read from the chains now; liabilities from the ledger.',
  })
  async treasury(
    @Arg('networks', () => [NetworkEnum], { nullable: true }) networks: Network[] | null,
    @Ctx() ctx: WalletContext,
  ): Promise<TreasuryPositionType[]> {
    const positions = await ctx.wallet.treasury.positions(ctx.em, ctx.viewer, ctx.wallet.holdings, networks);
    return positions.map(TreasuryPositionType.from);
  }
}
