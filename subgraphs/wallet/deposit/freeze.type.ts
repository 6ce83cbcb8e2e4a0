import { Field, ID, ObjectType } from 'type-graphql';
import { WalletUser } from '../wallet/wallet.type.js';
import { PageInfo } from '../../../platform/graphql/page-info.js';
import type { ActiveFreeze, LiftedFreeze } from './freeze.service.js';

const userRef = (id: string): WalletUser => Object.assign(new WalletUser(), { id });

@ObjectType('WithdrawalFreeze', {
  description: "A user's withdrawals held back because a credited deposit of theirs was reorged away.",
})
export class WithdrawalFreezeType {
  @Field(() => WalletUser)
  user!: WalletUser;

  @Field(() => String, { description: 'Why: which deposit left the chain after its credit was requested.' })
  reason!: string;

  @Field(() => Date)
  frozenAt!: Date;

  /** Not a GraphQL field: the `deposit` field resolver loads it. */
  depositId!: string | null;

  static from(f: ActiveFreeze): WithdrawalFreezeType {
    return Object.assign(new WithdrawalFreezeType(), {
      user: userRef(f.userId),
      reason: f.reason,
      frozenAt: f.frozenAt,
      depositId: f.depositId,
    });
  }
}

@ObjectType('WithdrawalFreezeLift', {
  description: 'A freeze that staff lifted: the freeze as it was, and who lifted it, when and why.',
})
export class WithdrawalFreezeLiftType extends WithdrawalFreezeType {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  liftedAt!: Date;

  @Field(() => WalletUser, { description: 'The staff member who lifted it.' })
  liftedBy!: WalletUser;

  @Field(() => String)
  note!: string;

  static fromLift(l: LiftedFreeze): WithdrawalFreezeLiftType {
    return Object.assign(new WithdrawalFreezeLiftType(), WithdrawalFreezeType.from(l), {
      id: l.id,
      liftedAt: l.liftedAt,
      liftedBy: userRef(l.liftedBy),
      note: l.note,
    });
  }
}

@ObjectType('WithdrawalFreezeEdge')
export class WithdrawalFreezeEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => WithdrawalFreezeType)
  node!: WithdrawalFreezeType;
}

@ObjectType('WithdrawalFreezeConnection')
export class WithdrawalFreezeConnection {
  @Field(() => [WithdrawalFreezeEdge])
  edges!: WithdrawalFreezeEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
