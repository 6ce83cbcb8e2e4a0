import { Arg, Ctx, Directive, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { unauthenticated } from '../../../platform/errors.js';
import { BalanceType } from '../balance/balance.type.js';
import type { BalanceRecord } from '../balance/balance.service.js';
import { checkAssets } from '../balance/balance.service.js';
import type { LedgerContext } from '../context.js';
import { connectionOf } from '../transaction/transaction.resolver.js';
import { TransactionConnection, TransactionFilterInput } from '../transaction/transaction.type.js';

/** identity's User, extended with what the ledger knows about it. */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class LedgerUser {
  @Field(() => ID)
  id!: string;
}

export const userReference = {
  __resolveReference: (ref: Record<string, unknown>): LedgerUser | null =>
    typeof ref.id === 'string' ? Object.assign(new LedgerUser(), { id: ref.id }) : null,
};

/** Balances of every user in this request in one query per asset selection. */
async function balancesOf(ctx: LedgerContext, userId: string, assets: string[] | null): Promise<BalanceType[]> {
  const symbols = checkAssets(assets);
  const records = await ctx.loaders
    .get<BalanceRecord[]>(`balances:${symbols.join(',')}`, async (ids) => {
      const byUser = await ctx.ledger.balances.ofUsers(ctx.em, ids, symbols);
      return ids.map((id) => byUser.get(id) ?? []);
    })
    .load(userId);
  return (records ?? []).map(BalanceType.from);
}

@Resolver(() => LedgerUser)
export class LedgerUserResolver {
  @FieldResolver(() => [BalanceType], {
    description:
      'One balance per asset (every asset of the catalogue unless `assets` narrows it). Owner and staff only.',
  })
  async balances(
    @Root() user: LedgerUser,
    @Arg('assets', () => [String], { nullable: true }) assets: string[] | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<BalanceType[]> {
    ctx.ledger.balances.authorize(ctx.viewer, user.id);
    return balancesOf(ctx, user.id, assets);
  }

  @FieldResolver(() => TransactionConnection, {
    description:
      'Sent and received transactions, newest first; pages stay gap-free while new ones arrive. Owner and staff only.',
  })
  async transactions(
    @Root() user: LedgerUser,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => TransactionFilterInput, { nullable: true }) filter: TransactionFilterInput | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<TransactionConnection> {
    ctx.ledger.balances.authorize(ctx.viewer, user.id);
    return connectionOf(await ctx.ledger.transactions.history(ctx.em, user.id, filter ?? {}, first, after));
  }
}

@Resolver()
export class BalanceResolver {
  @Query(() => [BalanceType], { description: "The signed-in user's balances (what balanceUpdated pushes)." })
  async balances(
    @Arg('assets', () => [String], { nullable: true }) assets: string[] | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<BalanceType[]> {
    if (!ctx.viewer.userId) throw unauthenticated();
    return balancesOf(ctx, ctx.viewer.userId, assets);
  }
}
