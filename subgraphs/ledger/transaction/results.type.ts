import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { AssetRef } from './transaction.type.js';

export enum LimitPeriodEnum {
  TRANSFER = 'TRANSFER',
  DAY = 'DAY',
  TRANSACTION = 'TRANSACTION',
  DAILY = 'DAILY',
  MONTHLY = 'MONTHLY',
}
registerEnumType(LimitPeriodEnum, {
  name: 'LimitPeriod',
  description:
    "The asset's own caps (in its unit): TRANSFER, the most one transfer may move; DAY, the most a user may send per UTC day. " +
    "The user level's caps (in a reference currency, valued at market prices): TRANSACTION, one movement; DAILY, per UTC day; MONTHLY, per UTC calendar month.",
});

@ObjectType('InsufficientFunds', {
  description: 'The account to debit holds less than the transaction needs. Nothing was moved.',
})
export class InsufficientFundsType {
  @Field(() => String, { description: 'INSUFFICIENT_FUNDS' })
  code = 'INSUFFICIENT_FUNDS';

  @Field(() => String)
  message!: string;

  @Field(() => AssetRef)
  asset!: AssetRef;

  @Field(() => AmountScalar, { description: 'What the account held when the transaction was evaluated.' })
  available!: string;

  @Field(() => AmountScalar, { description: 'What the transaction needed from it (amount plus fee).' })
  required!: string;
}

@ObjectType('RecipientNotFound', {
  description: 'No user with that id or username can receive transfers. Nothing was moved.',
})
export class RecipientNotFoundType {
  @Field(() => String, { description: 'RECIPIENT_NOT_FOUND' })
  code = 'RECIPIENT_NOT_FOUND';

  @Field(() => String)
  message!: string;
}

@ObjectType('LimitExceeded', { description: 'The transfer is above a limit. Nothing was moved.' })
export class LimitExceededType {
  @Field(() => String, { description: 'LIMIT_EXCEEDED' })
  code = 'LIMIT_EXCEEDED';

  @Field(() => String)
  message!: string;

  @Field(() => AssetRef)
  asset!: AssetRef;

  @Field(() => LimitPeriodEnum)
  period!: LimitPeriodEnum;

  @Field(() => AmountScalar, {
    description: 'The cap, in `currency` for a level limit, in the asset otherwise.',
  })
  limit!: string;

  @Field(() => AmountScalar, { description: 'Already sent in the period (zero for TRANSFER and TRANSACTION).' })
  used!: string;

  @Field(() => AmountScalar, { description: 'What may still move in the period (same unit as `limit`).' })
  remaining!: string;

  @Field(() => String, {
    nullable: true,
    description: 'USD or IRT for a level limit (amounts valued at market prices); null: amounts in the asset.',
  })
  currency!: string | null;

  @Field(() => Int, { nullable: true, description: "The user's level, for a level limit." })
  level!: number | null;
}
