/** A stored quote: what the user will pay and receive if they place it before `expiresAt`. */
export interface QuoteRecord {
  id: string;
  userId: string;
  from: string;
  to: string;
  side: 'SPEND' | 'RECEIVE';
  pay: bigint;
  receive: bigint;
  fee: bigint;
  /** Whole units of `to` per whole unit of `from` after the spread, before the fee (rounded down). */
  rate: string;
  spreadBps: number;
  feeBps: number;
  volumeToman: bigint;
  volumeUsdCents: bigint | null;
  expiresAt: Date;
  createdAt: Date;
}

export type OrderStatus = 'PLACED' | 'FILLED' | 'REJECTED' | 'CANCELLED' | 'EXPIRED';
export type OrderKind = 'BUY' | 'SELL' | 'SWAP';

export interface OrderRecord {
  id: string;
  userId: string;
  type: 'MARKET' | 'LIMIT';
  kind: OrderKind;
  from: string;
  to: string;
  pay: bigint;
  receive: bigint;
  fee: bigint;
  rate: string;
  quoteId: string | null;
  pair: string | null;
  limitSide: 'BUY' | 'SELL' | null;
  /** Minor units of the pair's quote asset per whole unit of its base asset. */
  limitPrice: bigint | null;
  holdId: string | null;
  status: OrderStatus;
  rejectionCode: string | null;
  rejectionMessage: string | null;
  transactionId: string | null;
  volumeToman: bigint;
  volumeUsdCents: bigint | null;
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Microsecond text of created_at, for the keyset cursor. */
  createdAtText: string;
}

export interface OrderRow {
  id: string;
  user_id: string;
  type: 'MARKET' | 'LIMIT';
  kind: OrderKind;
  from_asset: string;
  to_asset: string;
  pay_amount: string;
  receive_amount: string;
  fee: string;
  rate: string;
  quote_id: string | null;
  pair: string | null;
  limit_side: 'BUY' | 'SELL' | null;
  limit_price: string | null;
  hold_id: string | null;
  status: OrderStatus;
  rejection_code: string | null;
  rejection_message: string | null;
  transaction_id: string | null;
  volume_toman: string;
  volume_usd_cents: string | null;
  expires_at: string | Date | null;
  created_at: string | Date;
  updated_at: string | Date;
  created_at_text: string;
  request_hash: string;
}

/** The order columns as OrderRow reads them; `t` qualifies them with a table alias (`o.`). */
export function orderColumns(t = ''): string {
  return `${t}id, ${t}user_id, ${t}type, ${t}kind, ${t}from_asset, ${t}to_asset, ${t}pay_amount::text, ${t}receive_amount::text,
  ${t}fee::text, ${t}rate, ${t}quote_id, ${t}pair, ${t}limit_side, ${t}limit_price::text, ${t}hold_id, ${t}status, ${t}rejection_code,
  ${t}rejection_message, ${t}transaction_id, ${t}volume_toman::text, ${t}volume_usd_cents::text, ${t}expires_at, ${t}created_at,
  ${t}updated_at, ${t}request_hash,
  to_char(${t}created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at_text`;
}

export const ORDER_COLUMNS = orderColumns();

export function orderOf(r: OrderRow): OrderRecord {
  return {
    id: r.id,
    userId: r.user_id,
    type: r.type,
    kind: r.kind,
    from: r.from_asset,
    to: r.to_asset,
    pay: BigInt(r.pay_amount),
    receive: BigInt(r.receive_amount),
    fee: BigInt(r.fee),
    rate: r.rate,
    quoteId: r.quote_id,
    pair: r.pair,
    limitSide: r.limit_side,
    limitPrice: r.limit_price === null ? null : BigInt(r.limit_price),
    holdId: r.hold_id,
    status: r.status,
    rejectionCode: r.rejection_code,
    rejectionMessage: r.rejection_message,
    transactionId: r.transaction_id,
    volumeToman: BigInt(r.volume_toman),
    volumeUsdCents: r.volume_usd_cents === null ? null : BigInt(r.volume_usd_cents),
    expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    createdAtText: r.created_at_text,
  };
}

/** BUY spends Toman, SELL receives Toman, SWAP is crypto for crypto. */
export function kindOf(from: string, to: string): OrderKind {
  if (from === 'IRT') return 'BUY';
  if (to === 'IRT') return 'SELL';
  return 'SWAP';
}

export const OrderEvents = {
  /** `{ orderId, userId, status, type }` at every status change (the orderUpdated subscription follows it). */
  updated: 'ledger.order.updated',
  /** `{ orderId, userId, kind, from, to, pay, receive, fee, transactionId, volumeToman, volumeUsdCents }`. */
  filled: 'ledger.order.filled',
} as const;
