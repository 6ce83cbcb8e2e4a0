import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { NetworkEnum } from '../wallet/wallet.type.js';
import type { Deposit } from './deposit.entity.js';
import { PageInfo } from '../../../platform/graphql/page-info.js';

export enum DepositStatusEnum {
  DETECTED = 'DETECTED',
  CONFIRMING = 'CONFIRMING',
  CREDITED = 'CREDITED',
  REORGED = 'REORGED',
  IGNORED = 'IGNORED',
}
registerEnumType(DepositStatusEnum, {
  name: 'DepositStatus',
  description:
    'DETECTED: in a block. CONFIRMING: more blocks on top; at requiredConfirmations the credit is requested. CREDITED: on your balance. ' +
    'REORGED: its block left the chain (a credit, if any, was reversed). IGNORED: below the minimum deposit of the asset (dust), never credited.',
  valuesConfig: {
    DETECTED: { description: 'Seen in a block of the chain.' },
    CONFIRMING: { description: 'Waiting for confirmations, then for the ledger credit.' },
    CREDITED: { description: 'Credited to the available balance, exactly once.' },
    REORGED: { description: 'Its block was replaced by a chain reorganization.' },
    IGNORED: { description: 'Below the asset minimum (dust).' },
  },
});

/** The market subgraph's Asset, referenced by its key. */
@ObjectType('Asset')
@Directive('@key(fields: "symbol", resolvable: false)')
export class DepositAssetRef {
  @Field(() => String)
  symbol!: string;
}

/** The ledger's Transaction, referenced by its key. */
@ObjectType('Transaction')
@Directive('@key(fields: "id", resolvable: false)')
export class TransactionRef {
  @Field(() => ID)
  id!: string;
}

@ObjectType('Deposit', { description: 'Funds sent on chain to one of your deposit addresses.' })
@Directive('@key(fields: "id")')
export class DepositType {
  @Field(() => ID)
  id!: string;

  @Field(() => NetworkEnum)
  network!: NetworkEnum;

  @Field(() => DepositAssetRef)
  asset!: DepositAssetRef;

  @Field(() => AmountScalar, { description: "In the asset's unit." })
  amount!: string;

  @Field(() => String, { description: 'The sending address as the chain reports it.' })
  from!: string;

  @Field(() => String, { description: 'Your deposit address.' })
  to!: string;

  @Field(() => String)
  txHash!: string;

  @Field(() => Int, {
    description: 'Which output of the transaction: 0 for a native transfer, the log / message index for a token.',
  })
  outputIndex!: number;

  @Field(() => String, { description: 'Block number (masterchain seqno on TON), as a decimal string.' })
  blockNumber!: string;

  @Field(() => Int)
  confirmations!: number;

  @Field(() => Int)
  requiredConfirmations!: number;

  @Field(() => DepositStatusEnum)
  status!: DepositStatusEnum;

  @Field(() => Date)
  detectedAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When it reached its required confirmations and the credit was requested.',
  })
  confirmedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  creditedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  reorgedAt!: Date | null;

  @Field(() => TransactionRef, { nullable: true, description: 'The ledger transaction that credited it.' })
  transaction!: TransactionRef | null;

  @Field(() => TransactionRef, {
    nullable: true,
    description: 'The ledger reversal, when a reorg removed a credited deposit.',
  })
  reversalTransaction!: TransactionRef | null;

  /** Not GraphQL fields: what field resolvers need. */
  userId!: string;
  walletId!: string;

  static from(d: Deposit): DepositType {
    const t = new DepositType();
    t.id = d.id;
    t.network = d.network as NetworkEnum;
    t.asset = Object.assign(new DepositAssetRef(), { symbol: d.asset });
    t.amount = formatAmount(d.amount, assetInfo(d.asset)?.decimals ?? 0);
    t.from = d.fromAddress;
    t.to = d.toAddress;
    t.txHash = d.txHash;
    t.outputIndex = d.outputIndex;
    t.blockNumber = d.blockNumber.toString();
    t.confirmations = d.confirmations;
    t.requiredConfirmations = d.requiredConfirmations;
    t.status = d.status as DepositStatusEnum;
    t.detectedAt = d.detectedAt;
    t.confirmedAt = d.confirmedAt;
    t.creditedAt = d.creditedAt;
    t.reorgedAt = d.reorgedAt;
    t.transaction = d.transactionId ? Object.assign(new TransactionRef(), { id: d.transactionId }) : null;
    t.reversalTransaction = d.reversalTransactionId
      ? Object.assign(new TransactionRef(), { id: d.reversalTransactionId })
      : null;
    t.userId = d.userId;
    t.walletId = d.walletId;
    return t;
  }
}

@ObjectType('DepositEdge')
export class DepositEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => DepositType)
  node!: DepositType;
}

@ObjectType('DepositConnection')
export class DepositConnection {
  @Field(() => [DepositEdge])
  edges!: DepositEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
