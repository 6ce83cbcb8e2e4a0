import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { VoucherTypeEnum } from '../voucher/voucher.type.js';
import type { VoucherRate } from './rate.entity.js';

export enum VoucherRateSideEnum {
  BUY = 'BUY',
  SELL = 'SELL',
}
export enum VoucherRateCurrencyEnum {
  IRT = 'IRT',
  USD = 'USD',
}
registerEnumType(VoucherRateSideEnum, {
  name: 'VoucherRateSide',
  description: 'BUY: what a user pays per unit of face value; SELL: what a redeeming user is credited.',
});
registerEnumType(VoucherRateCurrencyEnum, {
  name: 'VoucherRateCurrency',
  description: 'IRT prices payments in Toman; USD prices payments in USDT (any network).',
});

@ObjectType('VoucherRate')
export class VoucherRateType {
  @Field(() => ID)
  id!: string;

  @Field(() => VoucherTypeEnum)
  type!: VoucherTypeEnum;

  @Field(() => VoucherRateSideEnum)
  side!: VoucherRateSideEnum;

  @Field(() => VoucherRateCurrencyEnum)
  currency!: VoucherRateCurrencyEnum;

  @Field(() => String, { description: 'Units of `currency` per one unit of the face value (decimal text).' })
  price!: string;

  @Field(() => Date)
  validFrom!: Date;

  @Field(() => Date)
  validUntil!: Date;

  @Field(() => Boolean, { description: 'Past validUntil: trading on this side refuses (RATE_STALE) until a new rate.' })
  stale!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  static from(r: VoucherRate): VoucherRateType {
    return Object.assign(new VoucherRateType(), {
      id: r.id,
      type: r.type as VoucherTypeEnum,
      side: r.side as VoucherRateSideEnum,
      currency: r.currency as VoucherRateCurrencyEnum,
      price: r.price,
      validFrom: r.validFrom,
      validUntil: r.validUntil,
      stale: r.validUntil.getTime() <= Date.now(),
      createdAt: r.createdAt,
    });
  }
}

@InputType('SetVoucherRateInput')
export class SetVoucherRateInput {
  @Field(() => VoucherTypeEnum)
  type!: VoucherTypeEnum;

  @Field(() => VoucherRateSideEnum)
  side!: VoucherRateSideEnum;

  @Field(() => VoucherRateCurrencyEnum)
  currency!: VoucherRateCurrencyEnum;

  @Field(() => String, { description: 'Positive decimal, at most 18 decimals.' })
  price!: string;

  @Field(() => Date, { nullable: true, description: 'Default: now.' })
  validFrom?: Date | null;

  @Field(() => Date, { description: 'At most 7 days after validFrom.' })
  validUntil!: Date;
}
