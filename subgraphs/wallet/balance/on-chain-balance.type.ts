import { Field, ObjectType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';

@ObjectType('OnChainBalance', {
  description: 'What the chain reports an address holds, for reconciliation with the ledger.',
})
export class OnChainBalanceType {
  @Field(() => String, { description: 'Catalogue symbol: the native coin or USDT of the wallet’s network.' })
  asset!: string;

  @Field(() => AmountScalar, { description: 'In the asset’s unit, exact.' })
  amount!: string;

  @Field(() => Date, { description: 'When the chain was read; answers are cached for WALLET_BALANCE_CACHE_SECONDS.' })
  fetchedAt!: Date;

  @Field(() => Boolean)
  cached!: boolean;
}
