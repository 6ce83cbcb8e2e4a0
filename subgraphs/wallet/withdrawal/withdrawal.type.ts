import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../../platform/graphql/page-info.js';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { DepositAssetRef, TransactionRef } from '../deposit/deposit.type.js';
import { NetworkEnum } from '../wallet/wallet.type.js';
import type { WithdrawalAddressRecord, WithdrawalQuote, WithdrawalThreshold } from './withdrawal.service.js';
import type { WithdrawalRecord } from './withdrawal.store.js';

export enum WithdrawalStatusEnum {
  REQUESTED = 'REQUESTED',
  PENDING_APPROVAL = 'PENDING_APPROVAL',
  APPROVED = 'APPROVED',
  SIGNED = 'SIGNED',
  BROADCAST = 'BROADCAST',
  CONFIRMING = 'CONFIRMING',
  COMPLETED = 'COMPLETED',
  REJECTED = 'REJECTED',
  CANCELLED = 'CANCELLED',
  FAILED = 'FAILED',
}
registerEnumType(WithdrawalStatusEnum, {
  name: 'WithdrawalStatus',
  description:
    'REQUESTED → (PENDING_APPROVAL) → APPROVED → SIGNED → BROADCAST → CONFIRMING → COMPLETED, or REJECTED / CANCELLED / FAILED. Never moves backwards.',
  valuesConfig: {
    REQUESTED: { description: 'Recorded; the ledger is holding amount + fee.' },
    PENDING_APPROVAL: { description: 'Held; above the approval threshold, waiting for a second staff member.' },
    APPROVED: { description: 'Held and approved; the broadcaster will sign it.' },
    SIGNED: { description: 'Signed; the transaction is stored and about to be broadcast.' },
    BROADCAST: { description: 'Sent to the network.' },
    CONFIRMING: { description: 'In a block, waiting for confirmations.' },
    COMPLETED: {
      description: 'Final on chain (or, to a platform address, transferred at once): the hold is captured.',
    },
    REJECTED: { description: 'Refused (funds, limits, freeze, or by staff); rejectCode says why. Nothing left.' },
    CANCELLED: { description: 'Cancelled by you before approval; the hold is released.' },
    FAILED: { description: 'The chain refused it or it expired unsent; the hold is released.' },
  },
});

@ObjectType('Withdrawal', { description: 'Crypto sent out of your balance to an address.' })
@Directive('@key(fields: "id")')
export class WithdrawalType {
  @Field(() => ID)
  id!: string;

  @Field(() => NetworkEnum)
  network!: NetworkEnum;

  @Field(() => DepositAssetRef)
  asset!: DepositAssetRef;

  @Field(() => String, { description: 'The destination, in its canonical form.' })
  toAddress!: string;

  @Field(() => String, { nullable: true, description: 'TON comment.' })
  memo!: string | null;

  @Field(() => AmountScalar, { description: 'What the recipient receives, in the asset.' })
  amount!: string;

  @Field(() => AmountScalar, { description: 'The network fee you pay, in the asset (0 for an internal transfer).' })
  fee!: string;

  @Field(() => WithdrawalStatusEnum)
  status!: WithdrawalStatusEnum;

  @Field(() => Boolean, { description: 'The destination is a deposit address on this platform: moved at once, free.' })
  internal!: boolean;

  @Field(() => Boolean, { description: 'Above the approval threshold: a staff member must approve it.' })
  needsApproval!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Why it was REJECTED: INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, ACCOUNT_FROZEN, PRICE_UNAVAILABLE, REJECTED_BY_STAFF.',
  })
  rejectCode!: string | null;

  @Field(() => String, { nullable: true })
  rejectReason!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The transaction hash on chain once signed (the latest, if replaced).',
  })
  txHash!: string | null;

  @Field(() => Int, { description: 'Confirmations seen so far.' })
  confirmations!: number;

  @Field(() => TransactionRef, {
    nullable: true,
    description: 'The ledger transaction that held the funds (internal: the transfer itself).',
  })
  transaction!: TransactionRef | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  /** Not a GraphQL field. */
  userId!: string;

  static from(w: WithdrawalRecord): WithdrawalType {
    const decimals = assetInfo(w.asset)?.decimals ?? 0;
    const t = new WithdrawalType();
    t.id = w.id;
    t.network = w.network as NetworkEnum;
    t.asset = Object.assign(new DepositAssetRef(), { symbol: w.asset });
    t.toAddress = w.toAddress;
    t.memo = w.memo;
    t.amount = formatAmount(w.amount, decimals);
    t.fee = formatAmount(w.fee, decimals);
    t.status = w.status as WithdrawalStatusEnum;
    t.internal = w.internalUserId !== null;
    t.needsApproval = w.needsApproval;
    t.rejectCode = w.rejectCode;
    t.rejectReason = w.rejectReason;
    t.txHash = w.txHash;
    t.confirmations = w.confirmations;
    t.transaction = w.ledgerTransactionId ? Object.assign(new TransactionRef(), { id: w.ledgerTransactionId }) : null;
    t.createdAt = w.createdAt;
    t.updatedAt = w.updatedAt;
    t.userId = w.userId;
    return t;
  }
}

@ObjectType('WithdrawalEdge')
export class WithdrawalEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => WithdrawalType)
  node!: WithdrawalType;
}

@ObjectType('WithdrawalConnection')
export class WithdrawalConnection {
  @Field(() => [WithdrawalEdge])
  edges!: WithdrawalEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('WithdrawalQuote', { description: 'What a withdrawal would cost now; requestWithdrawal quotes again.' })
export class WithdrawalQuoteType {
  @Field(() => DepositAssetRef)
  asset!: DepositAssetRef;

  @Field(() => NetworkEnum)
  network!: NetworkEnum;

  @Field(() => String)
  toAddress!: string;

  @Field(() => AmountScalar)
  amount!: string;

  @Field(() => AmountScalar, {
    description: 'The network fee you pay, in the asset (a token: converted at market prices).',
  })
  fee!: string;

  @Field(() => AmountScalar, { description: 'amount + fee: what leaves your balance.' })
  total!: string;

  @Field(() => String, { nullable: true, description: "The chain's fee asset (ETH, BNB, TRX, TON); null internally." })
  networkFeeAsset!: string | null;

  @Field(() => AmountScalar, { nullable: true, description: "The chain's expected fee, in networkFeeAsset." })
  networkFee!: string | null;

  @Field(() => AmountScalar, { description: 'The smallest amount of this asset you can withdraw.' })
  minimum!: string;

  @Field(() => Boolean, { description: 'A deposit address on this platform: an internal transfer, free and instant.' })
  internal!: boolean;

  @Field(() => Boolean)
  needsApproval!: boolean;

  static from(q: WithdrawalQuote): WithdrawalQuoteType {
    const t = new WithdrawalQuoteType();
    const d = q.asset.decimals;
    t.asset = Object.assign(new DepositAssetRef(), { symbol: q.asset.symbol });
    t.network = q.network as NetworkEnum;
    t.toAddress = q.toAddress;
    t.amount = formatAmount(q.amount, d);
    t.fee = formatAmount(q.fee, d);
    t.total = formatAmount(q.amount + q.fee, d);
    t.networkFeeAsset = q.networkFee?.feeAsset ?? null;
    t.networkFee = q.networkFee
      ? formatAmount(q.networkFee.expectedFee, assetInfo(q.networkFee.feeAsset)?.decimals ?? 0)
      : null;
    t.minimum = formatAmount(q.minimum, d);
    t.internal = q.internal;
    t.needsApproval = q.needsApproval;
    return t;
  }
}

export enum WithdrawalAddressStatusEnum {
  PENDING_CONFIRMATION = 'PENDING_CONFIRMATION',
  COOLING_OFF = 'COOLING_OFF',
  CONFIRMED = 'CONFIRMED',
  USABLE = 'USABLE',
}
registerEnumType(WithdrawalAddressStatusEnum, {
  name: 'WithdrawalAddressStatus',
  valuesConfig: {
    PENDING_CONFIRMATION: {
      description: 'A code went by SMS to your verified phone: confirmWithdrawalAddress makes it usable at once.',
    },
    COOLING_OFF: { description: 'Usable from usableAt (no verified phone, or no code open).' },
    CONFIRMED: { description: 'Confirmed by SMS code: usable.' },
    USABLE: { description: 'The cooling-off period is over: usable.' },
  },
});

@ObjectType('WithdrawalAddress', {
  description: 'A destination you added; usable once confirmed by SMS code, or from usableAt (cooling-off).',
})
export class WithdrawalAddressType {
  @Field(() => ID)
  id!: string;

  @Field(() => NetworkEnum)
  network!: NetworkEnum;

  @Field(() => String)
  address!: string;

  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => Date)
  usableAt!: Date;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => WithdrawalAddressStatusEnum)
  status!: WithdrawalAddressStatusEnum;

  @Field(() => Date, { nullable: true, description: 'When it was confirmed by SMS code.' })
  confirmedAt!: Date | null;

  static from(a: WithdrawalAddressRecord): WithdrawalAddressType {
    const status = a.confirmedAt
      ? WithdrawalAddressStatusEnum.CONFIRMED
      : a.usableAt.getTime() <= Date.now()
        ? WithdrawalAddressStatusEnum.USABLE
        : a.pendingCode
          ? WithdrawalAddressStatusEnum.PENDING_CONFIRMATION
          : WithdrawalAddressStatusEnum.COOLING_OFF;
    return Object.assign(new WithdrawalAddressType(), {
      id: a.id,
      network: a.network as NetworkEnum,
      address: a.address,
      label: a.label,
      usableAt: a.usableAt,
      createdAt: a.createdAt,
      status,
      confirmedAt: a.confirmedAt,
    });
  }
}

@ObjectType('WithdrawalThreshold', { description: 'Above this USD value a withdrawal of the asset needs approval.' })
export class WithdrawalThresholdType {
  @Field(() => String)
  asset!: string;

  @Field(() => AmountScalar, { description: 'In USD.' })
  usd!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Who set it (null: the configured default); they cannot approve it.',
  })
  changedBy!: string | null;

  @Field(() => Date, { nullable: true })
  changedAt!: Date | null;

  static from(t: WithdrawalThreshold): WithdrawalThresholdType {
    return Object.assign(new WithdrawalThresholdType(), {
      asset: t.asset,
      usd: formatAmount(t.usdCents, 2),
      changedBy: t.changedBy,
      changedAt: t.changedAt,
    });
  }
}

@InputType('RequestWithdrawalInput')
export class RequestWithdrawalInput {
  @Field(() => String, { description: 'Asset symbol, e.g. ETH, USDT_TRON, TON.' })
  asset!: string;

  @Field(() => String)
  toAddress!: string;

  @Field(() => AmountScalar, { description: 'What the recipient receives, in the asset; the fee comes on top.' })
  amount!: string;

  @Field(() => String, { nullable: true, description: 'TON comment (TON and USDT_TON only).' })
  memo?: string | null;

  @Field(() => String, { description: 'Same key + same input → the same withdrawal; other input → CONFLICT.' })
  idempotencyKey!: string;
}

@InputType('WithdrawalQuoteInput')
export class WithdrawalQuoteInput {
  @Field(() => String)
  asset!: string;

  @Field(() => String)
  toAddress!: string;

  @Field(() => AmountScalar)
  amount!: string;

  @Field(() => String, { nullable: true })
  memo?: string | null;
}

@InputType('AddWithdrawalAddressInput')
export class AddWithdrawalAddressInput {
  @Field(() => NetworkEnum)
  network!: NetworkEnum;

  @Field(() => String)
  address!: string;

  @Field(() => String, { nullable: true })
  label?: string | null;
}

@InputType('WithdrawalFilter')
export class WithdrawalFilterInput {
  @Field(() => WithdrawalStatusEnum, { nullable: true })
  status?: WithdrawalStatusEnum | null;

  @Field(() => String, { nullable: true })
  asset?: string | null;
}
