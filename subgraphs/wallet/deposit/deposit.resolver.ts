import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { byKeys } from '../../../platform/graphql/loaders.js';
import type { Wallet } from '../wallet/wallet.entity.js';
import { NetworkEnum, WalletType, WalletUser } from '../wallet/wallet.type.js';
import type { DepositContext } from './deposit.context.js';
import { depositReference } from './deposit.reference.js';
import { encodeDepositCursor } from './deposit.service.js';
import { DepositConnection, DepositType } from './deposit.type.js';
import { connectionFrom } from '../../../platform/graphql/page-info.js';

@Resolver(() => DepositType)
export class DepositResolver {
  @Query(() => DepositType, { nullable: true, description: 'One of your deposits (staff: anyone’s), or null.' })
  async deposit(@Arg('id', () => ID) id: string, @Ctx() ctx: DepositContext): Promise<DepositType | null> {
    return depositReference.__resolveReference({ id }, ctx);
  }

  @Query(() => [DepositType], {
    description:
      'The deposits one on-chain transaction made to your addresses (staff: to anyone’s), by output index; empty when none (yet). ' +
      'The hash as a wallet or explorer shows it (TON: hex or base64).',
  })
  async depositsByTxHash(
    @Arg('network', () => NetworkEnum) network: NetworkEnum,
    @Arg('txHash', () => String) txHash: string,
    @Ctx() ctx: DepositContext,
  ): Promise<DepositType[]> {
    return (await ctx.deposits.byTxHash(ctx.em, ctx.viewer, network, txHash)).map(DepositType.from);
  }

  @FieldResolver(() => WalletType, { description: 'The wallet (deposit address) it was sent to.' })
  async wallet(@Root() deposit: DepositType, @Ctx() ctx: DepositContext): Promise<WalletType> {
    const wallet = await ctx.loaders
      .get<Wallet>('deposit:wallet', async (ids) => {
        const rows = await ctx.wallet.wallets.visibleByIds(ctx.em, ctx.viewer, ids);
        return byKeys(ids, rows, (w) => w.id);
      })
      .load(deposit.walletId);
    if (!wallet) throw new Error(`wallet ${deposit.walletId} of deposit ${deposit.id} is not readable`);
    return WalletType.from(wallet);
  }
}

@Resolver(() => WalletUser)
export class DepositUserResolver {
  @FieldResolver(() => DepositConnection, {
    description: 'Your deposits on every network, newest first (the user and staff only).',
  })
  async deposits(
    @Root() user: WalletUser,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: DepositContext,
  ): Promise<DepositConnection> {
    const page = await ctx.deposits.page(ctx.em, ctx.viewer, user.id, first, after);
    const edges = page.nodes.map((d) => ({ cursor: encodeDepositCursor(d.id), node: DepositType.from(d) }));
    return connectionFrom(edges, page.hasNextPage);
  }

  @FieldResolver(() => Boolean, {
    description:
      'True while withdrawals are frozen because a credited deposit of yours was reversed by a chain reorganization.',
  })
  async withdrawalsFrozen(@Root() user: WalletUser, @Ctx() ctx: DepositContext): Promise<boolean> {
    ctx.deposits.assertCanSeeUser(ctx.viewer, user.id);
    const frozen = await ctx.loaders
      .get<boolean>('deposit:frozen', async (ids) => {
        const set = await ctx.deposits.frozenUsers(ctx.em, ids);
        return ids.map((id) => set.has(id));
      })
      .load(user.id);
    return frozen === true;
  }
}
