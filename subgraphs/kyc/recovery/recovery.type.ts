import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../../platform/graphql/page-info.js';
import { maskPhone } from '../validation/phone.js';
import type { AccountRecovery } from './recovery.entity.js';

export enum AccountRecoveryStatusEnum {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  FAILED = 'FAILED',
}
registerEnumType(AccountRecoveryStatusEnum, {
  name: 'AccountRecoveryStatus',
  description:
    'PENDING until a reviewer decides; a decision is final. FAILED: approved, but identity could not apply it (`reason` says why).',
});

@ObjectType('AccountRecovery', {
  description: 'A request to move the account owning a verified phone to a new Telegram account.',
})
export class AccountRecoveryType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The account being recovered (it owns the verified phone).' })
  oldUserId!: string;

  @Field(() => ID, { description: 'The new Telegram account that asked; retired once the move is done.' })
  newUserId!: string;

  @Field(() => String, { description: 'The proven phone, masked (+98912***4567).' })
  phone!: string;

  @Field(() => AccountRecoveryStatusEnum)
  status!: AccountRecoveryStatusEnum;

  @Field(() => ID, { nullable: true })
  reviewerId!: string | null;

  @Field(() => String, { nullable: true })
  note!: string | null;

  @Field(() => String, { nullable: true })
  rejectionReason!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  decidedAt!: Date | null;

  static from(r: AccountRecovery): AccountRecoveryType {
    return Object.assign(new AccountRecoveryType(), {
      id: r.id,
      oldUserId: r.oldUserId,
      newUserId: r.newUserId,
      phone: maskPhone(r.phone),
      status: r.status as AccountRecoveryStatusEnum,
      reviewerId: r.reviewerId,
      note: r.note,
      rejectionReason: r.reason,
      createdAt: r.createdAt,
      decidedAt: r.decidedAt,
    });
  }
}

@ObjectType()
export class RecoveryCodeSent {
  @Field(() => String, { description: 'The number, masked. The same answer whether or not it can be recovered.' })
  phone!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => Int, { description: 'Seconds before another code can be asked for this number.' })
  resendAfterSeconds!: number;
}

@ObjectType()
export class AccountRecoveryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AccountRecoveryType)
  node!: AccountRecoveryType;
}

@ObjectType()
export class AccountRecoveryConnection {
  @Field(() => [AccountRecoveryEdge])
  edges!: AccountRecoveryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
