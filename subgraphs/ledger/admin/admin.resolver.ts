import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { forbidden } from '../../../platform/errors.js';
import { isStaff } from '../../../platform/auth/viewer.js';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import type { LedgerContext } from '../context.js';
import { AdjustBalanceResult, ReverseTransactionResult, toResultType, type ResultType } from '../transaction/results.js';
import { LedgerTransactionFilterInput, TransactionConnection } from '../transaction/transaction.type.js';
import { connectionOf } from '../transaction/transaction.resolver.js';
import { LedgerVerificationType } from './verification.type.js';

@Resolver()
export class AdminResolver {
  @Mutation(() => AdjustBalanceResult, {
    description: "FINANCE with the ledger:adjust claim: credit (amount > 0) or debit (amount < 0) a user's available balance against world:<asset>, with a reason.",
  })
  async adjustBalance(
    @Arg('userId', () => ID) userId: string,
    @Arg('asset', () => String) asset: string,
    @Arg('amount', () => AmountScalar) amount: string,
    @Arg('reason', () => String) reason: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<ResultType> {
    return toResultType(await ctx.ledger.admin.adjustBalance(ctx.em, ctx.viewer, { userId, asset, amount, reason, idempotencyKey }));
  }

  @Mutation(() => ReverseTransactionResult, { description: 'FINANCE with the ledger:adjust claim: a new transaction undoing every posting of another; at most once.' })
  async reverseTransaction(
    @Arg('transactionId', () => ID) transactionId: string,
    @Arg('reason', () => String) reason: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<ResultType> {
    return toResultType(await ctx.ledger.admin.reverse(ctx.em, ctx.viewer, { transactionId, reason, idempotencyKey }));
  }

  @Query(() => LedgerVerificationType, { description: 'Auditors: recompute the hash chain and every cached balance from the postings; report any mismatch.' })
  async verifyLedger(@Ctx() ctx: LedgerContext): Promise<LedgerVerificationType> {
    return LedgerVerificationType.from(await ctx.ledger.admin.verify(ctx.em, ctx.viewer));
  }

  @Query(() => TransactionConnection, { description: 'Staff: search transactions by user, asset, kind and date, newest first.' })
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
