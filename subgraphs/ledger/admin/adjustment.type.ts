import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { PageInfo } from '../../../platform/graphql/page-info.js';
import { AssetRef, amountText } from '../transaction/transaction.type.js';
import { LedgerUser } from '../user/user.resolver.js';
import type { AdjustmentRequestRecord } from './adjustment.service.js';

export enum AdjustmentStatusEnum {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(AdjustmentStatusEnum, {
  name: 'AdjustmentStatus',
  description:
    'PENDING: waits for a second money admin; APPROVED: posted (transaction); REJECTED by another admin; CANCELLED by the requester; EXPIRED: nobody approved it in time.',
});

const userRef = (id: string) => Object.assign(new LedgerUser(), { id });

@ObjectType('AdjustmentRequest', {
  description:
    "An adjustBalance that needs a second money admin (four eyes): above the asset's approval threshold, or of the requester's own account. Nothing has moved until it is approved.",
})
export class AdjustmentRequestType {
  @Field(() => String, { description: 'APPROVAL_REQUIRED' })
  code = 'APPROVAL_REQUIRED';

  @Field(() => ID)
  id!: string;

  @Field(() => LedgerUser, { description: 'Whose balance it adjusts.' })
  user!: LedgerUser;

  @Field(() => AssetRef)
  asset!: AssetRef;

  @Field(() => AmountScalar, { description: 'Signed: a credit (> 0) or a debit (< 0).' })
  amount!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => LedgerUser)
  requestedBy!: LedgerUser;

  @Field(() => AdjustmentStatusEnum)
  status!: AdjustmentStatusEnum;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { description: 'After this it can no longer be approved.' })
  expiresAt!: Date;

  @Field(() => LedgerUser, { nullable: true, description: 'Who approved, rejected or cancelled it.' })
  decidedBy!: LedgerUser | null;

  @Field(() => Date, { nullable: true })
  decidedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was rejected or cancelled.' })
  decisionNote!: string | null;

  @Field(() => ID, { nullable: true, description: 'The ADJUSTMENT transaction its approval posted.' })
  transactionId!: string | null;

  static from(r: AdjustmentRequestRecord): AdjustmentRequestType {
    return Object.assign(new AdjustmentRequestType(), {
      id: r.id,
      user: userRef(r.userId),
      asset: AssetRef.of(r.asset),
      amount: (r.amount < 0n ? '-' : '') + amountText(r.asset, r.amount < 0n ? -r.amount : r.amount),
      reason: r.reason,
      requestedBy: userRef(r.requestedBy),
      status: r.status as AdjustmentStatusEnum,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      decidedBy: r.decidedBy ? userRef(r.decidedBy) : null,
      decidedAt: r.decidedAt,
      decisionNote: r.decisionNote,
      transactionId: r.transactionId,
    });
  }
}

@ObjectType('AdjustmentRequestEdge')
export class AdjustmentRequestEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AdjustmentRequestType)
  node!: AdjustmentRequestType;
}

@ObjectType('AdjustmentRequestConnection')
export class AdjustmentRequestConnection {
  @Field(() => [AdjustmentRequestEdge])
  edges!: AdjustmentRequestEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
