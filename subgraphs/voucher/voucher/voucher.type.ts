import { Directive, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../../platform/graphql/page-info.js';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { VOUCHER_CURRENCY_DECIMALS } from '../../../providers/vouchers/index.js';
import type { Voucher, VoucherStatus } from './voucher.entity.js';

export enum VoucherTypeEnum {
  HOT = 'HOT',
  PS = 'PS',
  UTOPIA_UUSD = 'UTOPIA_UUSD',
  UTOPIA_CRP = 'UTOPIA_CRP',
  PERFECT_MONEY = 'PERFECT_MONEY',
}
export enum VoucherDirectionEnum {
  BUY = 'BUY',
  REDEEM = 'REDEEM',
}
export enum VoucherStatusEnum {
  PENDING = 'PENDING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  UNDER_REVIEW = 'UNDER_REVIEW',
}
registerEnumType(VoucherTypeEnum, {
  name: 'VoucherType',
  description:
    'HOT (HOT Voucher, Toman), PS (PS Voucher, USD; resold through uWallet), UTOPIA_UUSD (USD), UTOPIA_CRP (Crypton), PERFECT_MONEY (USD e-voucher, code `<number>-<activation code>`).',
});
registerEnumType(VoucherDirectionEnum, { name: 'VoucherDirection' });
registerEnumType(VoucherStatusEnum, {
  name: 'VoucherStatus',
  description:
    'PENDING: in progress (hold, provider, or a provider-side pending); COMPLETED: bought (code available) or redeemed (credited); FAILED: nothing bought or redeemed (`reason`); UNDER_REVIEW: the provider answer was lost and staff resolve it (funds stay held).',
});

/** Internal states as the API shows them. */
export function publicStatus(status: VoucherStatus, reason: string | null): VoucherStatusEnum {
  if (status === 'COMPLETED' || status === 'CONFIRMED') return VoucherStatusEnum.COMPLETED;
  if (status === 'FAILED' || status === 'REJECTED') return VoucherStatusEnum.FAILED;
  if (status === 'UNKNOWN' && reason === 'NEEDS_REVIEW') return VoucherStatusEnum.UNDER_REVIEW;
  return VoucherStatusEnum.PENDING;
}

@ObjectType('Voucher')
@Directive('@key(fields: "id")')
export class VoucherType {
  @Field(() => ID)
  id!: string;

  @Field(() => VoucherTypeEnum)
  type!: VoucherTypeEnum;

  @Field(() => VoucherDirectionEnum)
  direction!: VoucherDirectionEnum;

  @Field(() => VoucherStatusEnum)
  status!: VoucherStatusEnum;

  @Field(() => String, { description: 'IRT (Toman), USD or CRP: the currency of the face value.' })
  faceCurrency!: string;

  @Field(() => AmountScalar, {
    nullable: true,
    description: 'Face value in its currency (Toman, USD, Crypton); for a redemption, once confirmed.',
  })
  faceAmount!: string | null;

  @Field(() => String, { description: 'The asset paid (BUY) or credited (REDEEM).' })
  asset!: string;

  @Field(() => AmountScalar, { nullable: true, description: 'Paid (BUY) or credited (REDEEM), in `asset`.' })
  assetAmount!: string | null;

  @Field(() => String, { description: 'The rate applied: units of the rate currency per unit of face value.' })
  rate!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Why it failed (INSUFFICIENT_FUNDS, INVALID_CODE, NOT_CREATED, …).',
  })
  reason!: string | null;

  @Field(() => String, {
    description: "The ledger reference of this voucher's money (`voucher:<id>` or `voucher-redemption:<id>`).",
  })
  ledgerReference!: string;

  @Field(() => Boolean, { description: 'A bought code can be shown with revealVoucherCode.' })
  codeAvailable!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  settledAt!: Date | null;

  static from(v: Voucher): VoucherType {
    return Object.assign(new VoucherType(), {
      id: v.id,
      type: v.type as VoucherTypeEnum,
      direction: v.direction as VoucherDirectionEnum,
      status: publicStatus(v.status, v.reason),
      faceCurrency: v.faceCurrency,
      faceAmount:
        v.faceAmount === null ? null : formatAmount(BigInt(v.faceAmount), VOUCHER_CURRENCY_DECIMALS[v.faceCurrency]),
      asset: v.asset,
      assetAmount:
        v.assetAmount === null ? null : formatAmount(BigInt(v.assetAmount), assetInfo(v.asset)?.decimals ?? 0),
      rate: v.ratePrice,
      reason: v.status === 'FAILED' || v.status === 'REJECTED' ? v.reason : null,
      ledgerReference: v.direction === 'BUY' ? `voucher:${v.id}` : `voucher-redemption:${v.id}`,
      codeAvailable: v.direction === 'BUY' && v.status === 'COMPLETED',
      createdAt: v.createdAt,
      settledAt: v.settledAt,
    });
  }
}

@ObjectType('VoucherCode')
export class VoucherCodeType {
  @Field(() => VoucherType)
  voucher!: VoucherType;

  @Field(() => String, { description: 'The secret code. Shown only to its owner; every reveal is audited.' })
  code!: string;
}

@ObjectType('VoucherValidation')
export class VoucherValidationType {
  @Field(() => Boolean, { description: 'False when the provider offers no check: validation happens at redemption.' })
  supported!: boolean;

  @Field(() => Boolean, { nullable: true })
  valid!: boolean | null;

  @Field(() => AmountScalar, { nullable: true })
  faceAmount!: string | null;

  @Field(() => String)
  message!: string;
}

@ObjectType('VoucherEdge')
export class VoucherEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => VoucherType)
  node!: VoucherType;
}

@ObjectType('VoucherConnection')
export class VoucherConnection {
  @Field(() => [VoucherEdge])
  edges!: VoucherEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType('VoucherSearchInput')
export class VoucherSearchInput {
  @Field(() => ID, { nullable: true })
  userId?: string | null;

  @Field(() => VoucherTypeEnum, { nullable: true })
  type?: VoucherTypeEnum | null;

  @Field(() => VoucherStatusEnum, { nullable: true })
  status?: VoucherStatusEnum | null;
}
