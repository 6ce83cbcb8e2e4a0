import { Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { LIMIT_CURRENCIES, type LimitCurrency } from '../../../platform/config/ledger-rules.js';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { formatAmount } from '../../../platform/money/amount.js';
import type { LedgerContext } from '../context.js';
import { LimitPeriodEnum } from '../transaction/results.type.js';
import { LedgerUser } from '../user/user.resolver.js';
import type { PeriodUsage, UserLimits } from './limits.service.js';

@ObjectType('LimitUsage', { description: 'One period of a level limit, in the reference currency.' })
export class LimitUsageType {
  @Field(() => LimitPeriodEnum)
  period!: LimitPeriodEnum;

  @Field(() => AmountScalar, { nullable: true, description: 'The cap; null when the level has none.' })
  limit!: string | null;

  @Field(() => AmountScalar, { description: 'Already moved in the period (zero for TRANSACTION).' })
  used!: string;

  @Field(() => AmountScalar, {
    nullable: true,
    description:
      'What may still move: for TRANSACTION the most the next one may move (its cap and what the day and month leave); null without any cap.',
  })
  remaining!: string | null;

  static from(p: PeriodUsage, currency: LimitCurrency): LimitUsageType {
    const text = (v: bigint | null) => (v === null ? null : formatAmount(v, LIMIT_CURRENCIES[currency]));
    return Object.assign(new LimitUsageType(), {
      period: p.period as LimitPeriodEnum,
      limit: text(p.limit),
      used: text(p.used)!,
      remaining: text(p.remaining),
    });
  }
}

@ObjectType('UserLimits', {
  description:
    "The user's level limits (LEDGER_LEVEL_LIMITS) and what is left of them: outgoing transfers valued at market prices when they were made; UTC day and calendar month.",
})
export class UserLimitsType {
  @Field(() => Int)
  level!: number;

  @Field(() => String, { description: 'USD or IRT: the unit of every amount here.' })
  currency!: string;

  @Field(() => LimitUsageType)
  transaction!: LimitUsageType;

  @Field(() => LimitUsageType)
  daily!: LimitUsageType;

  @Field(() => LimitUsageType)
  monthly!: LimitUsageType;

  static from(l: UserLimits): UserLimitsType {
    const of = (period: string) =>
      LimitUsageType.from(
        l.periods.find((p) => p.period === period)!,
        l.currency,
      );
    return Object.assign(new UserLimitsType(), {
      level: l.level,
      currency: l.currency,
      transaction: of('TRANSACTION'),
      daily: of('DAILY'),
      monthly: of('MONTHLY'),
    });
  }
}

@Resolver(() => LedgerUser)
export class LimitsResolver {
  @FieldResolver(() => UserLimitsType, {
    description: "The user's level limits: cap, used and remaining per period. Owner and staff only.",
  })
  async limits(@Root() user: LedgerUser, @Ctx() ctx: LedgerContext): Promise<UserLimitsType> {
    return UserLimitsType.from(await ctx.ledger.levelLimits.limitsOf(ctx.em, ctx.viewer, user.id));
  }
}
