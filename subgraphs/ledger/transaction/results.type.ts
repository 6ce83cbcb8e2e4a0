import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { AssetRef } from './transaction.type.js';

export enum LimitPeriodEnum {
  TRANSFER = 'TRANSFER',
  DAY = 'DAY',
}
registerEnumType(LimitPeriodEnum, {
  name: 'LimitPeriod',
  description: 'TRANSFER: the most one transfer may move; DAY: the most a user may send per UTC day.',
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

  @Field(() => AmountScalar)
  limit!: string;

  @Field(() => AmountScalar, { description: 'Already sent in the period (zero for TRANSFER).' })
  used!: string;
}
