import { Field, ObjectType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { AssetRef, amountText } from '../transaction/transaction.type.js';
import type { BalanceRecord } from './balance.service.js';

@ObjectType('Balance', {
  description: "A user's balance in one asset: available to spend, held (reserved), and their total.",
})
export class BalanceType {
  @Field(() => AssetRef)
  asset!: AssetRef;

  @Field(() => AmountScalar)
  available!: string;

  @Field(() => AmountScalar)
  held!: string;

  @Field(() => AmountScalar)
  total!: string;

  static from(b: BalanceRecord): BalanceType {
    const t = new BalanceType();
    t.asset = AssetRef.of(b.asset);
    t.available = amountText(b.asset, b.available);
    t.held = amountText(b.asset, b.held);
    t.total = amountText(b.asset, b.available + b.held);
    return t;
  }
}
