import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { formatAmount } from '../../../platform/money/amount.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { PageInfo } from '../../../platform/graphql/page-info.js';
import { AssetRef, amountText } from '../transaction/transaction.type.js';
import type { OrderRecord, QuoteRecord } from './order.records.js';

export enum QuoteSideEnum {
  SPEND = 'SPEND',
  RECEIVE = 'RECEIVE',
}
export enum OrderStatusEnum {
  PLACED = 'PLACED',
  FILLED = 'FILLED',
  REJECTED = 'REJECTED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
}
export enum OrderTypeEnum {
  MARKET = 'MARKET',
  LIMIT = 'LIMIT',
}
export enum OrderKindEnum {
  BUY = 'BUY',
  SELL = 'SELL',
  SWAP = 'SWAP',
}
export enum LimitSideEnum {
  BUY = 'BUY',
  SELL = 'SELL',
}
registerEnumType(QuoteSideEnum, {
  name: 'QuoteSide',
  description: 'SPEND: `amount` is what you pay (in `from`); RECEIVE: `amount` is what you get (in `to`).',
});
registerEnumType(OrderStatusEnum, {
  name: 'OrderStatus',
  description:
    'PLACED (a limit order resting on its hold) → FILLED | REJECTED (the ledger refused the fill: rejectionCode) | CANCELLED (by you) | EXPIRED (a limit order past expiresAt). Never backwards; an instant order is PLACED and FILLED or REJECTED in one transaction.',
});
registerEnumType(OrderTypeEnum, {
  name: 'OrderType',
  description: 'MARKET: an instant order from a quote; LIMIT: filled when the price crosses.',
});
registerEnumType(OrderKindEnum, {
  name: 'OrderKind',
  description: 'BUY spends Toman, SELL receives Toman, SWAP is crypto for crypto.',
});
registerEnumType(LimitSideEnum, { name: 'LimitSide', description: "BUY or SELL the pair's base asset." });

@InputType('TradeQuoteInput')
export class QuoteInput {
  @Field(() => String, { description: 'The asset you pay, e.g. IRT.' })
  from!: string;

  @Field(() => String, { description: 'The asset you receive, e.g. TON.' })
  to!: string;

  @Field(() => AmountScalar, { description: 'In `from` (SPEND) or `to` (RECEIVE).' })
  amount!: string;

  @Field(() => QuoteSideEnum)
  side!: QuoteSideEnum;
}

@ObjectType('TradeQuote', {
  description: 'A locked price: place it with placeOrder before expiresAt. The server keeps its amounts.',
})
export class QuoteType {
  @Field(() => ID, { description: 'Opaque; the only thing placeOrder needs.' })
  id!: string;

  @Field(() => AssetRef)
  from!: AssetRef;

  @Field(() => AssetRef)
  to!: AssetRef;

  @Field(() => QuoteSideEnum)
  side!: QuoteSideEnum;

  @Field(() => AmountScalar, { description: 'Exactly what leaves your balance, in `from`.' })
  pay!: string;

  @Field(() => AmountScalar, { description: 'Exactly what reaches your balance, in `to` (after the fee).' })
  receive!: string;

  @Field(() => AmountScalar, { description: 'The fee, in `to`, kept from what you buy.' })
  fee!: string;

  @Field(() => String, {
    description: 'Units of `to` per unit of `from` after the spread, before the fee (rounded down).',
  })
  rate!: string;

  @Field(() => Int)
  spreadBps!: number;

  @Field(() => Int)
  feeBps!: number;

  @Field(() => Date)
  expiresAt!: Date;

  static from(q: QuoteRecord): QuoteType {
    return Object.assign(new QuoteType(), {
      id: q.id,
      from: AssetRef.of(q.from),
      to: AssetRef.of(q.to),
      side: q.side as QuoteSideEnum,
      pay: amountText(q.from, q.pay),
      receive: amountText(q.to, q.receive),
      fee: amountText(q.to, q.fee),
      rate: q.rate,
      spreadBps: q.spreadBps,
      feeBps: q.feeBps,
      expiresAt: q.expiresAt,
    });
  }
}

@InputType('PlaceOrderInput')
export class PlaceOrderInput {
  @Field(() => ID)
  quoteId!: string;

  @Field(() => String, { description: 'Chosen by the client per order (e.g. a UUID): a retry returns the same order.' })
  idempotencyKey!: string;
}

@ObjectType('Order', { description: 'A trade with the platform (the counterparty).' })
@Directive('@key(fields: "id")')
export class OrderType {
  @Field(() => ID)
  id!: string;

  @Field(() => OrderTypeEnum)
  type!: OrderTypeEnum;

  @Field(() => OrderKindEnum)
  kind!: OrderKindEnum;

  @Field(() => OrderStatusEnum)
  status!: OrderStatusEnum;

  @Field(() => AssetRef)
  from!: AssetRef;

  @Field(() => AssetRef)
  to!: AssetRef;

  @Field(() => AmountScalar, { description: 'What leaves (or, for a resting limit order, is held from) your balance.' })
  pay!: string;

  @Field(() => AmountScalar, { description: 'What reaches your balance when filled (after the fee).' })
  receive!: string;

  @Field(() => AmountScalar, { description: 'The fee in `to`.' })
  fee!: string;

  @Field(() => String)
  rate!: string;

  @Field(() => String, { nullable: true, description: 'Limit orders: the pair, e.g. TON/IRT.' })
  pair!: string | null;

  @Field(() => LimitSideEnum, { nullable: true })
  limitSide!: LimitSideEnum | null;

  @Field(() => AmountScalar, { nullable: true, description: "Limit orders: the pair's quote asset per one base unit." })
  limitPrice!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'REJECTED: INSUFFICIENT_FUNDS, LIMIT_EXCEEDED or EXPOSURE_LIMIT_EXCEEDED.',
  })
  rejectionCode!: string | null;

  @Field(() => String, { nullable: true })
  rejectionMessage!: string | null;

  @Field(() => Date, { nullable: true, description: 'Limit orders: when an unfilled order expires.' })
  expiresAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  record!: OrderRecord;

  static from(o: OrderRecord): OrderType {
    const quoteAsset = o.pair?.split('/')[1];
    return Object.assign(new OrderType(), {
      id: o.id,
      type: o.type as OrderTypeEnum,
      kind: o.kind as OrderKindEnum,
      status: o.status as OrderStatusEnum,
      from: AssetRef.of(o.from),
      to: AssetRef.of(o.to),
      pay: amountText(o.from, o.pay),
      receive: amountText(o.to, o.receive),
      fee: amountText(o.to, o.fee),
      rate: o.rate,
      pair: o.pair,
      limitSide: o.limitSide as LimitSideEnum | null,
      limitPrice:
        o.limitPrice === null || !quoteAsset ? null : formatAmount(o.limitPrice, assetInfo(quoteAsset)!.decimals),
      rejectionCode: o.rejectionCode,
      rejectionMessage: o.rejectionMessage,
      expiresAt: o.expiresAt,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
      record: o,
    });
  }
}

@ObjectType('OrderEdge')
export class OrderEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => OrderType)
  node!: OrderType;
}

@ObjectType('OrderConnection')
export class OrderConnection {
  @Field(() => [OrderEdge])
  edges!: OrderEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType('OrderFilter')
export class OrderFilterInput {
  @Field(() => OrderStatusEnum, { nullable: true })
  status?: OrderStatusEnum | null;

  @Field(() => OrderTypeEnum, { nullable: true })
  type?: OrderTypeEnum | null;
}

@ObjectType('ExchangePosition', { description: "The platform's trading inventory in one asset (exchange:<asset>)." })
export class ExchangePositionType {
  @Field(() => AssetRef)
  asset!: AssetRef;

  @Field(() => String, { description: 'Signed, in the asset: below zero the exchange is short (owes what it sold).' })
  position!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Signed US dollars at the current price; null without a fresh price.',
  })
  usdValue!: string | null;

  @Field(() => AmountScalar, { description: 'Fees earned in the asset (fees:<asset>).' })
  fees!: string;
}

@ObjectType('TradingPair', {
  description: "Staff's settings of one pair (the configuration's defaults when never set).",
})
export class TradingPairType {
  @Field(() => String)
  pair!: string;

  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => Int)
  spreadBps!: number;

  @Field(() => String, { nullable: true, description: 'US dollars; null: no cap.' })
  exposureCapUsd!: string | null;
}

@InputType('SetTradingPairInput')
export class SetTradingPairInput {
  @Field(() => String, {
    description: 'Canonical name: quote side Toman, then USDT, then alphabetical (TON/IRT, ETH/USDT_ETH, ETH/TON).',
  })
  pair!: string;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  spreadBps?: number | null;

  @Field(() => String, { nullable: true, description: 'US dollars, e.g. "50000"; "-" removes the cap.' })
  exposureCapUsd?: string | null;
}

@ObjectType('TradingFee', {
  description: 'The fee of one user level: fixed US dollars (paid in the asset received) plus basis points.',
})
export class TradingFeeType {
  @Field(() => Int)
  level!: number;

  @Field(() => String)
  fixedUsd!: string;

  @Field(() => Int)
  bps!: number;
}

export const usdText = (cents: bigint) => formatAmount(cents, 2);

@InputType('PlaceLimitOrderInput')
export class PlaceLimitOrderInput {
  @Field(() => String, { description: 'An asset against Toman, e.g. TON/IRT or USDT_TRON/IRT.' })
  pair!: string;

  @Field(() => LimitSideEnum)
  side!: LimitSideEnum;

  @Field(() => AmountScalar, { description: 'Of the base asset (TON in TON/IRT).' })
  amount!: string;

  @Field(() => AmountScalar, {
    description: 'Whole Toman per one base unit: BUY fills when the market is at or below it, SELL at or above.',
  })
  limitPrice!: string;

  @Field(() => Date, { nullable: true, description: 'Unfilled by then: EXPIRED and the hold released.' })
  expiresAt?: Date | null;

  @Field(() => String, { description: 'Chosen by the client per order: a retry returns the same order.' })
  idempotencyKey!: string;
}
