import { createUnionType } from 'type-graphql';
import { LIMIT_CURRENCIES } from '../../../platform/config/ledger-rules.js';
import { formatAmount } from '../../../platform/money/amount.js';
import type { AdjustOutcome } from '../admin/admin.service.js';
import { AdjustmentRequestType } from '../admin/adjustment.type.js';
import type { LedgerResult } from '../core/ledger.js';
import { InsufficientFundsType, LimitExceededType, LimitPeriodEnum, RecipientNotFoundType } from './results.type.js';
import { AssetRef, amountText, TransactionType } from './transaction.type.js';

export const TransferResult = createUnionType({
  name: 'TransferResult',
  description: 'The transfer, or why nothing moved.',
  types: () => [TransactionType, InsufficientFundsType, RecipientNotFoundType, LimitExceededType] as const,
});

export const AdjustBalanceResult = createUnionType({
  name: 'AdjustBalanceResult',
  description: 'The adjustment, why nothing moved, or the request that waits for a second money admin (four eyes).',
  types: () => [TransactionType, InsufficientFundsType, AdjustmentRequestType] as const,
});

export const ApproveAdjustmentResult = createUnionType({
  name: 'ApproveAdjustmentResult',
  description:
    'The transaction the approval posted (the same one for every approval of the request), or why nothing moved.',
  types: () => [TransactionType, InsufficientFundsType] as const,
});

export const ReverseTransactionResult = createUnionType({
  name: 'ReverseTransactionResult',
  types: () => [TransactionType, InsufficientFundsType] as const,
});

export type ResultType =
  TransactionType | InsufficientFundsType | RecipientNotFoundType | LimitExceededType | AdjustmentRequestType;

/** A service result as the GraphQL union member it is. */
export function toResultType(result: LedgerResult | AdjustOutcome): ResultType {
  switch (result.type) {
    case 'AdjustmentRequest':
      return AdjustmentRequestType.from(result.request);
    case 'Transaction':
      return TransactionType.from(result.transaction);
    case 'InsufficientFunds': {
      const t = new InsufficientFundsType();
      t.asset = AssetRef.of(result.asset);
      t.available = amountText(result.asset, result.available);
      t.required = amountText(result.asset, result.required);
      t.message = `Not enough ${result.asset}: ${t.required} needed, ${t.available} available`;
      return t;
    }
    case 'LimitExceeded': {
      const t = new LimitExceededType();
      t.asset = AssetRef.of(result.asset);
      t.period = result.period as LimitPeriodEnum;
      const text = (v: bigint) =>
        result.currency ? formatAmount(v, LIMIT_CURRENCIES[result.currency]) : amountText(result.asset, v);
      t.limit = text(result.limit);
      t.used = text(result.used);
      t.remaining = text(result.remaining);
      t.currency = result.currency;
      t.level = result.level;
      t.message = limitMessage(result.period, result.asset, t);
      return t;
    }
    case 'RecipientNotFound': {
      const t = new RecipientNotFoundType();
      t.message = result.message;
      return t;
    }
  }
}

function limitMessage(period: string, asset: string, t: LimitExceededType): string {
  switch (period) {
    case 'TRANSFER':
      return `A transfer of ${asset} may move at most ${t.limit}`;
    case 'DAY':
      return `The daily ${asset} limit is ${t.limit}; ${t.used} already sent today`;
    case 'TRANSACTION':
      return `At level ${t.level} one transaction may move at most ${t.limit} ${t.currency}`;
    default:
      return `At level ${t.level} the ${period.toLowerCase()} limit is ${t.limit} ${t.currency}; ${t.used} used, ${t.remaining} left`;
  }
}
