import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { DepositContext } from './deposit.context.js';
import { depositReference } from './deposit.reference.js';
import { DepositType } from './deposit.type.js';
import { WithdrawalFreezeConnection, WithdrawalFreezeLiftType, WithdrawalFreezeType } from './freeze.type.js';
import { connectionFrom } from '../../../platform/graphql/page-info.js';

@Resolver(() => WithdrawalFreezeType)
export class WithdrawalFreezeResolver {
  @Query(() => WithdrawalFreezeConnection, {
    description: 'Staff: users whose withdrawals are frozen after a reorg of a credited deposit, newest first.',
  })
  async withdrawalFreezes(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: DepositContext,
  ): Promise<WithdrawalFreezeConnection> {
    const page = await ctx.freezes.page(ctx.em, ctx.viewer, first, after);
    const edges = page.edges.map((e) => ({ cursor: e.cursor, node: WithdrawalFreezeType.from(e.node) }));
    return connectionFrom(edges, page.hasNextPage);
  }

  @Mutation(() => WithdrawalFreezeLiftType, {
    description:
      "FINANCE or SUPERADMIN: lifts one freeze once the reorged deposit's reversal is settled: the one of depositId (required when the user has several; each reorged deposit has its own). The note (why) is kept on record.",
  })
  async liftWithdrawalFreeze(
    @Arg('userId', () => ID) userId: string,
    @Arg('note', () => String) note: string,
    @Arg('depositId', () => ID, { nullable: true }) depositId: string | null,
    @Ctx() ctx: DepositContext,
  ): Promise<WithdrawalFreezeLiftType> {
    return WithdrawalFreezeLiftType.fromLift(await ctx.freezes.lift(ctx.em, ctx.viewer, userId, note, depositId));
  }

  @FieldResolver(() => DepositType, { nullable: true, description: 'The deposit whose reorg caused it.' })
  async deposit(@Root() freeze: WithdrawalFreezeType, @Ctx() ctx: DepositContext): Promise<DepositType | null> {
    return freeze.depositId ? depositReference.__resolveReference({ id: freeze.depositId }, ctx) : null;
  }
}
