import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import type { LedgerContext } from '../context.js';
import { PageInfo, connectionFrom } from '../../../platform/graphql/page-info.js';
import { AssetRef, amountText } from '../transaction/transaction.type.js';
import { LedgerUser } from '../user/user.resolver.js';
import type { DebtRecord } from './debt.service.js';

@ObjectType('LedgerDebt', {
  description:
    'What a user owes the platform in one asset: a deposit the blockchain reversed after they had spent it. Their next deposits of the asset repay it first; until then they cannot send money out.',
})
export class LedgerDebtType {
  @Field(() => LedgerUser)
  user!: LedgerUser;

  @Field(() => AssetRef)
  asset!: AssetRef;

  @Field(() => AmountScalar, { description: "Still owed, in the asset's unit (> 0)." })
  owed!: string;

  static from(d: DebtRecord): LedgerDebtType {
    return Object.assign(new LedgerDebtType(), {
      user: Object.assign(new LedgerUser(), { id: d.userId }),
      asset: AssetRef.of(d.asset),
      owed: amountText(d.asset, d.owed),
    });
  }
}

@ObjectType('LedgerDebtEdge')
export class LedgerDebtEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => LedgerDebtType)
  node!: LedgerDebtType;
}

@ObjectType('LedgerDebtConnection')
export class LedgerDebtConnection {
  @Field(() => [LedgerDebtEdge])
  edges!: LedgerDebtEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@Resolver()
export class DebtResolver {
  @Query(() => LedgerDebtConnection, {
    description: 'Staff: users who owe the platform (reorged deposits they had spent), by user.',
  })
  async ledgerDebts(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<LedgerDebtConnection> {
    const page = await ctx.ledger.debts.page(ctx.em, ctx.viewer, first, after);
    const edges = page.edges.map((e) => ({ cursor: e.cursor, node: LedgerDebtType.from(e.node) }));
    return connectionFrom(edges, page.hasNextPage);
  }
}
