import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { forbidden } from '../../../platform/errors.js';
import { isStaff } from '../../../platform/auth/viewer.js';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import type { LedgerContext } from '../context.js';
import {
  AdjustBalanceResult,
  ApproveAdjustmentResult,
  ReverseTransactionResult,
  toResultType,
  type ResultType,
} from '../transaction/results.js';
import { AdjustmentRequestConnection, AdjustmentRequestType, AdjustmentStatusEnum } from './adjustment.type.js';
import { LedgerTransactionFilterInput, TransactionConnection } from '../transaction/transaction.type.js';
import { connectionOf } from '../transaction/transaction.resolver.js';
import { LedgerVerificationType } from './verification.type.js';
import { connectionFrom } from '../../../platform/graphql/page-info.js';

@Resolver()
export class AdminResolver {
  @Mutation(() => AdjustBalanceResult, {
    description:
      "FINANCE with the ledger:adjust claim: credit (amount > 0) or debit (amount < 0) a user's available balance against world:<asset>, with a reason. Above the asset's approval threshold, or on your own account, it answers a pending AdjustmentRequest that another money admin must approve (approveAdjustment) before it expires.",
  })
  async adjustBalance(
    @Arg('userId', () => ID) userId: string,
    @Arg('asset', () => String) asset: string,
    @Arg('amount', () => AmountScalar) amount: string,
    @Arg('reason', () => String) reason: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<ResultType> {
    return toResultType(
      await ctx.ledger.admin.adjustBalance(ctx.em, ctx.viewer, { userId, asset, amount, reason, idempotencyKey }),
    );
  }

  @Mutation(() => ApproveAdjustmentResult, {
    description:
      'FINANCE with the ledger:adjust claim, not the requester and not the adjusted user: posts a pending adjustment, exactly once (every approval answers the same transaction). ADJUSTMENT_EXPIRED after its expiry.',
  })
  async approveAdjustment(
    @Arg('requestId', () => ID) requestId: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<ResultType> {
    return toResultType((await ctx.ledger.admin.approveAdjustment(ctx.em, ctx.viewer, requestId)).result);
  }

  @Mutation(() => AdjustmentRequestType, {
    description:
      'FINANCE with the ledger:adjust claim: the requester cancels (CANCELLED), another money admin rejects (REJECTED) a pending adjustment, with a note.',
  })
  async rejectAdjustment(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('note', () => String) note: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<AdjustmentRequestType> {
    return AdjustmentRequestType.from(await ctx.ledger.admin.rejectAdjustment(ctx.em, ctx.viewer, requestId, note));
  }

  @Query(() => AdjustmentRequestConnection, {
    description:
      'Money admins and auditors: adjustment requests of one status (PENDING by default: waiting, not expired), newest first.',
  })
  async adjustmentRequests(
    @Arg('status', () => AdjustmentStatusEnum, { defaultValue: AdjustmentStatusEnum.PENDING })
    status: AdjustmentStatusEnum,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<AdjustmentRequestConnection> {
    const page = await ctx.ledger.admin.adjustmentRequests(ctx.em, ctx.viewer, status, first, after);
    const edges = page.edges.map((e) => ({ cursor: e.cursor, node: AdjustmentRequestType.from(e.node) }));
    return connectionFrom(edges, page.hasNextPage);
  }

  @Mutation(() => ReverseTransactionResult, {
    description:
      'FINANCE with the ledger:adjust claim: a new transaction undoing every posting of another; at most once.',
  })
  async reverseTransaction(
    @Arg('transactionId', () => ID) transactionId: string,
    @Arg('reason', () => String) reason: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<ResultType> {
    return toResultType(await ctx.ledger.admin.reverse(ctx.em, ctx.viewer, { transactionId, reason, idempotencyKey }));
  }

  @Query(() => LedgerVerificationType, {
    description: 'Auditors: recompute the hash chain and every cached balance from the postings; report any mismatch.',
  })
  async verifyLedger(@Ctx() ctx: LedgerContext): Promise<LedgerVerificationType> {
    return LedgerVerificationType.from(await ctx.ledger.admin.verify(ctx.em, ctx.viewer));
  }

  @Query(() => TransactionConnection, {
    description: 'Staff: search transactions by user, asset, kind and date, newest first.',
  })
  async ledgerTransactions(
    @Arg('filter', () => LedgerTransactionFilterInput, { nullable: true }) filter: LedgerTransactionFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<TransactionConnection> {
    if (!isStaff(ctx.viewer)) throw forbidden('Staff only');
    return connectionOf(await ctx.ledger.transactions.search(ctx.em, filter ?? {}, first, after));
  }
}
