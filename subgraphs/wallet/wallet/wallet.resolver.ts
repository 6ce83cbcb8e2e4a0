import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { OnChainBalanceType } from '../balance/on-chain-balance.type.js';
import type { WalletContext } from '../context.js';
import type { Wallet } from './wallet.entity.js';
import { NetworkEnum, WalletType, WalletUser } from './wallet.type.js';

@Resolver(() => WalletType)
export class WalletResolver {
  @Query(() => WalletType, {
    nullable: true,
    description: 'Staff: the custody wallet at this address, or null when it is not one of ours.',
  })
  async walletByAddress(
    @Arg('network', () => NetworkEnum) network: NetworkEnum,
    @Arg('address', () => String) address: string,
    @Ctx() ctx: WalletContext,
  ): Promise<WalletType | null> {
    const wallet = await ctx.wallet.wallets.byAddress(ctx.em, ctx.viewer, network, address);
    return wallet ? WalletType.from(wallet) : null;
  }

  @Mutation(() => WalletType, {
    description: 'A new wallet on a network: the first becomes the default; a further one gets its own address.',
  })
  async createWallet(
    @Arg('network', () => NetworkEnum) network: NetworkEnum,
    @Arg('label', () => String, { nullable: true }) label: string | null,
    @Ctx() ctx: WalletContext,
  ): Promise<WalletType> {
    return WalletType.from(await ctx.wallet.wallets.createWallet(ctx.em, ctx.viewer, network, label));
  }

  @Mutation(() => WalletType, {
    description: 'Makes one of your wallets the default of its network (what depositAddress returns).',
  })
  async setDefaultWallet(@Arg('id', () => ID) id: string, @Ctx() ctx: WalletContext): Promise<WalletType> {
    return WalletType.from(await ctx.wallet.wallets.setDefault(ctx.em, ctx.viewer, id));
  }

  @FieldResolver(() => String, { description: "Admins: the key's derivation path (BIP44, or SLIP-0010 for TON)." })
  derivationPath(@Root() wallet: WalletType, @Ctx() ctx: WalletContext): string {
    return ctx.wallet.wallets.derivationPathOf(ctx.viewer, wallet);
  }

  @FieldResolver(() => [OnChainBalanceType], {
    description:
      'FINANCE and admins: what the chain reports this address holds of the native coin and USDT (or only `asset`), cached a few seconds.',
  })
  async onChainBalance(
    @Root() wallet: WalletType,
    @Arg('asset', () => String, { nullable: true, description: 'A catalogue symbol on this network, e.g. USDT_TRON.' })
    asset: string | null,
    @Ctx() ctx: WalletContext,
  ): Promise<OnChainBalanceType[]> {
    const balances = await ctx.wallet.balances.of(ctx.viewer, wallet, asset);
    return balances.map((b) => Object.assign(new OnChainBalanceType(), b));
  }
}

@Resolver(() => WalletUser)
export class WalletUserResolver {
  @FieldResolver(() => [WalletType], {
    description: 'Your custody wallets on every network, oldest first (the user and staff only).',
  })
  async wallets(@Root() user: WalletUser, @Ctx() ctx: WalletContext): Promise<WalletType[]> {
    ctx.wallet.wallets.assertCanSeeUser(ctx.viewer, user.id);
    const wallets = await ctx.loaders
      .get<Wallet[]>('wallet:wallets-of-user', (ids) => ctx.wallet.wallets.walletsOfUsers(ctx.em, ids))
      .load(user.id);
    return (wallets ?? []).map(WalletType.from);
  }

  @FieldResolver(() => WalletType, { description: 'Your default deposit address on a network, created on first ask.' })
  async depositAddress(
    @Root() user: WalletUser,
    @Arg('network', () => NetworkEnum) network: NetworkEnum,
    @Ctx() ctx: WalletContext,
  ): Promise<WalletType> {
    return WalletType.from(await ctx.wallet.wallets.depositAddress(ctx.em, ctx.viewer, user.id, network));
  }
}
