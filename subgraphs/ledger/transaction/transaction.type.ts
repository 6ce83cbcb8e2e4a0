import { Directive, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { assetInfo } from '../../../platform/money/assets.js';
import type { PostingRecord, TransactionRecord } from './transaction.service.js';
import { PageInfo } from '../../../platform/graphql/page-info.js';

export enum TransactionKindEnum {
  DEPOSIT = 'DEPOSIT',
  WITHDRAWAL = 'WITHDRAWAL',
  TRANSFER = 'TRANSFER',
  BUY = 'BUY',
  SELL = 'SELL',
  SWAP = 'SWAP',
  FEE = 'FEE',
  REVERSAL = 'REVERSAL',
  ADJUSTMENT = 'ADJUSTMENT',
  ACCOUNT_RECOVERY = 'ACCOUNT_RECOVERY',
}
export enum TransactionStatusEnum {
  COMMITTED = 'COMMITTED',
  REVERSED = 'REVERSED',
}
export enum TransactionDirectionEnum {
  IN = 'IN',
  OUT = 'OUT',
  HOLD = 'HOLD',
  RELEASE = 'RELEASE',
  NONE = 'NONE',
}
registerEnumType(TransactionKindEnum, { name: 'TransactionKind' });
registerEnumType(TransactionStatusEnum, {
  name: 'TransactionStatus',
  description: 'Transactions never change; REVERSED means a reversal transaction undid this one.',
});
registerEnumType(TransactionDirectionEnum, {
  name: 'TransactionDirection',
  description:
    "For the viewer (or the transaction's user, for staff): money IN or OUT of their balance, moved to HOLD, released from hold (RELEASE), or NONE.",
});

/** The market subgraph's Asset, referenced by its key. */
@ObjectType('Asset')
@Directive('@key(fields: "symbol", resolvable: false)')
export class AssetRef {
  @Field(() => String)
  symbol!: string;

  static of(symbol: string): AssetRef {
    const ref = new AssetRef();
    ref.symbol = symbol;
    return ref;
  }
}

/** Amount in minor units → the Amount scalar's decimal string in the asset's unit. */
export function amountText(asset: string, minor: bigint): string {
  return formatAmount(minor, assetInfo(asset)?.decimals ?? 0);
}

@ObjectType('Counterparty', {
  description: 'The other user of a transfer, as the ledger knows them (id and Telegram username).',
})
export class CounterpartyType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  username!: string | null;
}

@ObjectType('Posting', {
  description: 'One movement of a transaction: amount of asset from source account to destination account.',
})
export class PostingType {
  @Field(() => String)
  source!: string;

  @Field(() => String)
  destination!: string;

  @Field(() => AssetRef)
  asset!: AssetRef;

  @Field(() => AmountScalar)
  amount!: string;

  static from(p: PostingRecord): PostingType {
    const t = new PostingType();
    t.source = p.source;
    t.destination = p.destination;
    t.asset = AssetRef.of(p.asset);
    t.amount = amountText(p.asset, p.amount);
    return t;
  }
}

@ObjectType('Transaction', { description: 'A committed, balanced, immutable set of postings.' })
@Directive('@key(fields: "id")')
export class TransactionType {
  @Field(() => ID)
  id!: string;

  @Field(() => TransactionKindEnum)
  kind!: TransactionKindEnum;

  @Field(() => TransactionStatusEnum)
  status!: TransactionStatusEnum;

  @Field(() => AssetRef)
  asset!: AssetRef;

  @Field(() => AmountScalar, { description: 'The amount moved (a transfer: what the recipient receives).' })
  amount!: string;

  @Field(() => AmountScalar, { description: 'The fee charged on top of amount, in the same asset.' })
  fee!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'What the transaction settles, e.g. deposit:<network>:<tx hash>:<index> or withdrawal:<id>.',
  })
  reference!: string | null;

  @Field(() => String, { nullable: true, description: "The sender's note." })
  note!: string | null;

  /** Not a GraphQL field: the record the field resolvers read. */
  record!: TransactionRecord;

  static from(record: TransactionRecord): TransactionType {
    const t = new TransactionType();
    t.id = record.id;
    t.kind = record.kind as TransactionKindEnum;
    t.status = record.reversedBy ? TransactionStatusEnum.REVERSED : TransactionStatusEnum.COMMITTED;
    t.asset = AssetRef.of(record.asset);
    t.amount = amountText(record.asset, record.amount);
    t.fee = amountText(record.asset, record.fee);
    t.createdAt = record.createdAt;
    t.reference = record.reference;
    t.note = record.note;
    t.record = record;
    return t;
  }
}

@ObjectType('TransactionEdge')
export class TransactionEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => TransactionType)
  node!: TransactionType;
}

@ObjectType('TransactionConnection')
export class TransactionConnection {
  @Field(() => [TransactionEdge])
  edges!: TransactionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType('TransactionFilter')
export class TransactionFilterInput {
  @Field(() => [TransactionKindEnum], { nullable: true })
  kinds?: TransactionKindEnum[] | null;

  @Field(() => String, { nullable: true, description: 'Asset symbol, e.g. USDT_TRON.' })
  asset?: string | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before.' })
  to?: Date | null;
}

@InputType('LedgerTransactionFilter')
export class LedgerTransactionFilterInput extends TransactionFilterInput {
  @Field(() => ID, { nullable: true, description: 'Transactions of this user, as either party.' })
  userId?: string | null;
}
