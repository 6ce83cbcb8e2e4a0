import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { WalletUser } from '../wallet/wallet.type.js';
import type { WithdrawalContext } from './withdrawal.context.js';
import { withdrawalReference } from './withdrawal.reference.js';
import {
  AddWithdrawalAddressInput,
  RequestWithdrawalInput,
  WithdrawalAddressType,
  WithdrawalConnection,
  WithdrawalFilterInput,
  WithdrawalQuoteInput,
  WithdrawalQuoteType,
  WithdrawalStatusEnum,
  WithdrawalThresholdType,
  WithdrawalType,
} from './withdrawal.type.js';
import type { WithdrawalRecord } from './withdrawal.store.js';
import { connectionFrom } from '../../../platform/graphql/page-info.js';

function connection(page: { edges: { cursor: string; node: WithdrawalRecord }[]; hasNextPage: boolean }) {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: WithdrawalType.from(e.node) }));
  return connectionFrom(edges, page.hasNextPage);
}

@Resolver(() => WithdrawalType)
export class WithdrawalResolver {
  @Query(() => WithdrawalType, { nullable: true, description: 'One of your withdrawals (staff: anyone’s), or null.' })
  async withdrawal(@Arg('id', () => ID) id: string, @Ctx() ctx: WithdrawalContext): Promise<WithdrawalType | null> {
    return withdrawalReference.__resolveReference({ id }, ctx);
  }

  @Query(() => WithdrawalQuoteType, {
    description: 'The fee, total and checks of a withdrawal before you confirm it (the chain fee is quoted live).',
  })
  async withdrawalQuote(
    @Arg('input', () => WithdrawalQuoteInput) input: WithdrawalQuoteInput,
    @Ctx() ctx: WithdrawalContext,
  ): Promise<WithdrawalQuoteType> {
    return WithdrawalQuoteType.from(await ctx.withdrawals.quote(ctx.em, ctx.viewer, input));
  }

  @Query(() => WithdrawalConnection, {
    description:
      'Staff: everyone’s withdrawals, newest first, optionally one status (the approval queue: PENDING_APPROVAL).',
  })
  async withdrawals(
    @Arg('status', () => WithdrawalStatusEnum, { nullable: true }) status: WithdrawalStatusEnum | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: WithdrawalContext,
  ): Promise<WithdrawalConnection> {
    return connection(await ctx.withdrawals.page(ctx.em, ctx.viewer, null, first, after, { status }));
  }

  @Query(() => [WithdrawalThresholdType], { description: 'Staff: the approval threshold of every asset.' })
  async withdrawalThresholds(@Ctx() ctx: WithdrawalContext): Promise<WithdrawalThresholdType[]> {
    return (await ctx.withdrawals.thresholds(ctx.em, ctx.viewer)).map(WithdrawalThresholdType.from);
  }

  @Mutation(() => WithdrawalType, {
    description:
      'Sends amount of asset to toAddress; amount + fee is held at once. Waits a few seconds for the hold: refusals come back as errors ' +
      '(INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, ACCOUNT_FROZEN…); past the wait it returns REQUESTED and withdrawalUpdated follows. ' +
      'A deposit address on this platform is an internal transfer (free, instant).',
  })
  async requestWithdrawal(
    @Arg('input', () => RequestWithdrawalInput) input: RequestWithdrawalInput,
    @Ctx() ctx: WithdrawalContext,
  ): Promise<WithdrawalType> {
    return WithdrawalType.from(await ctx.withdrawals.request(ctx.em, ctx.viewer, input));
  }

  @Mutation(() => WithdrawalAddressType, {
    description:
      'Adds a destination. With a verified phone a code goes by SMS (PENDING_CONFIRMATION; asking again sends a new ' +
      'one): confirmWithdrawalAddress makes it usable at once. Otherwise usable after the cooling-off period.',
  })
  async addWithdrawalAddress(
    @Arg('input', () => AddWithdrawalAddressInput) input: AddWithdrawalAddressInput,
    @Ctx() ctx: WithdrawalContext,
  ): Promise<WithdrawalAddressType> {
    const added = await ctx.withdrawals.addAddress(ctx.em, ctx.viewer, input);
    return WithdrawalAddressType.from(await ctx.addressConfirmations.offerCode(ctx.em, ctx.viewer.userId!, added));
  }

  @Mutation(() => WithdrawalAddressType, {
    description: 'The SMS code sent for your address: it becomes usable at once (CONFIRMED).',
  })
  async confirmWithdrawalAddress(
    @Arg('id', () => ID) id: string,
    @Arg('code', () => String) code: string,
    @Ctx() ctx: WithdrawalContext,
  ): Promise<WithdrawalAddressType> {
    return WithdrawalAddressType.from(await ctx.addressConfirmations.confirm(ctx.em, ctx.viewer, id, code));
  }

  @Mutation(() => WithdrawalType, {
    description: 'Cancels your withdrawal while it waits for approval; the hold is released.',
  })
  async cancelWithdrawal(@Arg('id', () => ID) id: string, @Ctx() ctx: WithdrawalContext): Promise<WithdrawalType> {
    return WithdrawalType.from(await ctx.withdrawals.cancel(ctx.em, ctx.viewer, id));
  }

  @Mutation(() => WithdrawalType, {
    description:
      'Staff with withdrawals:approve: approves a PENDING_APPROVAL withdrawal (not your own, not of an asset whose threshold you set).',
  })
  async approveWithdrawal(@Arg('id', () => ID) id: string, @Ctx() ctx: WithdrawalContext): Promise<WithdrawalType> {
    return WithdrawalType.from(await ctx.withdrawals.approve(ctx.em, ctx.viewer, id));
  }

  @Mutation(() => WithdrawalType, {
    description: 'Staff with withdrawals:approve: refuses a PENDING_APPROVAL withdrawal; the hold is released.',
  })
  async rejectWithdrawal(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: WithdrawalContext,
  ): Promise<WithdrawalType> {
    return WithdrawalType.from(await ctx.withdrawals.reject(ctx.em, ctx.viewer, id, reason));
  }

  @Mutation(() => WithdrawalThresholdType, {
    description:
      'FINANCE or SUPERADMIN: the USD value above which withdrawals of asset need approval (you then cannot approve them).',
  })
  async setWithdrawalThreshold(
    @Arg('asset', () => String) asset: string,
    @Arg('usd', () => AmountScalar) usd: string,
    @Ctx() ctx: WithdrawalContext,
  ): Promise<WithdrawalThresholdType> {
    return WithdrawalThresholdType.from(await ctx.withdrawals.setThreshold(ctx.em, ctx.viewer, asset, usd));
  }
}

@Resolver(() => WalletUser)
export class WithdrawalUserResolver {
  @FieldResolver(() => WithdrawalConnection, {
    description: 'Your withdrawals, newest first (the user and staff only).',
  })
  async withdrawals(
    @Root() user: WalletUser,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => WithdrawalFilterInput, { nullable: true }) filter: WithdrawalFilterInput | null,
    @Ctx() ctx: WithdrawalContext,
  ): Promise<WithdrawalConnection> {
    return connection(await ctx.withdrawals.page(ctx.em, ctx.viewer, user.id, first, after, filter ?? {}));
  }

  @FieldResolver(() => [WithdrawalAddressType], { description: 'The withdrawal addresses you added or used.' })
  async withdrawalAddresses(@Root() user: WalletUser, @Ctx() ctx: WithdrawalContext): Promise<WithdrawalAddressType[]> {
    return (await ctx.withdrawals.addresses(ctx.em, ctx.viewer, user.id)).map(WithdrawalAddressType.from);
  }
}
