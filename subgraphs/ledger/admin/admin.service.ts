import type { EntityManager } from '@mikro-orm/postgresql';
import { hasClaim, hasRole, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { checkAsset, checkIdempotencyKey, checkSignedAmount, checkText } from '../core/inputs.js';
import { reversalDraft, type Ledger, type LedgerResult } from '../core/ledger.js';
import type { OutboxWaker } from '../core/outbox-waker.js';
import { requestHash } from '../core/request-hash.js';
import { verifyLedger, type LedgerReport } from '../core/verifier.js';
import type { UserDirectory } from '../directory/directory.service.js';
import {
  adjustmentDraft,
  AdjustmentRequests,
  type AdjustmentRequestRecord,
  type AdjustmentStatus,
} from './adjustment.service.js';

export const LEDGER_ADJUST_CLAIM = 'ledger:adjust';

export interface AdjustBalanceRequest {
  userId: string;
  asset: string;
  /** Signed decimal in the asset's unit: "25" credits, "-25" debits. */
  amount: string;
  reason: string;
  idempotencyKey: string;
}

export interface ReverseRequest {
  transactionId: string;
  reason: string;
  idempotencyKey: string;
}

/** adjustBalance's answer: posted (or refused) now, or waiting for a second money admin. */
export type AdjustOutcome = LedgerResult | { type: 'AdjustmentRequest'; request: AdjustmentRequestRecord };

/**
 * Staff money operations. Creating or undoing money takes two keys: the FINANCE role (or SUPERADMIN) and
 * the `ledger:adjust` claim. Every such transaction records who (actor), when (created_at) and why
 * (reason) in the append-only, hash-chained log: that is the audit trail. An adjustment above the asset's
 * approval threshold, or of the admin's own account, also takes a second person (adjustment.service.ts).
 */
export class AdminService {
  readonly adjustments: AdjustmentRequests;

  constructor(
    private readonly ledger: Ledger,
    private readonly directory: UserDirectory,
    private readonly log: Logger,
    /** Per asset symbol: above this magnitude (minor units) an adjustment needs approval; null = never by amount. */
    private readonly approvalThresholds: Record<string, bigint | null> = {},
    waker: OutboxWaker | null = null,
  ) {
    this.adjustments = new AdjustmentRequests(ledger, waker, log);
  }

  requireMoneyAdmin(viewer: Viewer): string {
    if (!viewer.userId) throw unauthenticated();
    const finance = hasRole(viewer, 'FINANCE', 'SUPERADMIN');
    if (!finance || !hasClaim(viewer, LEDGER_ADJUST_CLAIM))
      throw forbidden(`Requires the FINANCE role and the ${LEDGER_ADJUST_CLAIM} claim`);
    return viewer.userId;
  }

  /** Auditors: FINANCE, ADMIN, SUPERADMIN or the ledger:adjust claim. */
  requireAuditor(viewer: Viewer): void {
    if (!viewer.userId) throw unauthenticated();
    const role = hasRole(viewer, 'FINANCE', 'ADMIN', 'SUPERADMIN');
    if (!role && !hasClaim(viewer, LEDGER_ADJUST_CLAIM)) throw forbidden('Requires the FINANCE or ADMIN role');
  }

  async verify(em: EntityManager, viewer: Viewer): Promise<LedgerReport> {
    this.requireAuditor(viewer);
    const report = await verifyLedger(em);
    if (!report.ok)
      this.log.error(
        { mismatches: report.mismatches.length, first: report.mismatches[0] },
        'ledger verification found mismatches',
      );
    return report;
  }

  /**
   * Credits (amount > 0, from world:<asset>) or debits (amount < 0, to world:<asset>) a user's available balance.
   * Above the asset's approval threshold, or on the admin's own account, it becomes a pending request instead.
   */
  async adjustBalance(em: EntityManager, viewer: Viewer, input: AdjustBalanceRequest): Promise<AdjustOutcome> {
    const adminId = this.requireMoneyAdmin(viewer);
    const key = checkIdempotencyKey(input.idempotencyKey);
    const asset = checkAsset(input.asset);
    const amount = checkSignedAmount(input.amount, asset);
    const reason = checkText(input.reason, 'reason', { max: 500, required: true })!;
    if (reason.length < 5) throw badInput('reason must say why (at least 5 characters)', { field: 'reason' });
    if (!(await this.directory.exists(em, input.userId))) throw notFound('User', input.userId);
    const magnitude = amount < 0n ? -amount : amount;
    const hash = requestHash('adjustBalance', { userId: input.userId, asset: asset.symbol, amount, reason });
    const threshold = this.approvalThresholds[asset.symbol] ?? null;
    if (input.userId === adminId || (threshold !== null && magnitude > threshold)) {
      const request = await this.adjustments.request(em, {
        userId: input.userId,
        asset: asset.symbol,
        amount,
        reason,
        requestedBy: adminId,
        key,
        requestHash: hash,
      });
      return { type: 'AdjustmentRequest', request };
    }
    const result = await this.ledger.commit(
      em,
      adjustmentDraft({ userId: input.userId, asset: asset.symbol, amount, reason }, adminId, {
        idempotency: { scope: `adjust:${adminId}`, key, requestHash: hash },
      }),
    );
    if (result.type === 'Transaction' && !result.replayed)
      this.log.info(
        {
          adminId,
          userId: input.userId,
          asset: asset.symbol,
          amount: amount.toString(),
          transactionId: result.transaction.id,
        },
        'balance adjusted',
      );
    return result;
  }

  /** Four eyes: another money admin posts a pending adjustment (exactly once, however many approve at once). */
  async approveAdjustment(
    em: EntityManager,
    viewer: Viewer,
    requestId: string,
  ): Promise<{ request: AdjustmentRequestRecord; result: LedgerResult }> {
    const adminId = this.requireMoneyAdmin(viewer);
    return this.adjustments.approve(em, adminId, requestId);
  }

  /** The requester cancels, or another money admin rejects, a pending adjustment. */
  async rejectAdjustment(
    em: EntityManager,
    viewer: Viewer,
    requestId: string,
    note: string,
  ): Promise<AdjustmentRequestRecord> {
    const adminId = this.requireMoneyAdmin(viewer);
    return this.adjustments.reject(em, adminId, requestId, note);
  }

  /** Money admins and auditors see the requests. */
  async adjustmentRequests(
    em: EntityManager,
    viewer: Viewer,
    status: AdjustmentStatus,
    first: number,
    after: string | null | undefined,
  ) {
    this.requireAuditor(viewer);
    return this.adjustments.page(em, status, first, after);
  }

  /** A new transaction with every posting of the original turned around; a transaction is reversed at most once. */
  async reverse(em: EntityManager, viewer: Viewer, input: ReverseRequest): Promise<LedgerResult> {
    const adminId = this.requireMoneyAdmin(viewer);
    const key = checkIdempotencyKey(input.idempotencyKey);
    const reason = checkText(input.reason, 'reason', { max: 500, required: true })!;
    const [original] = await this.ledger.transactions.byIds(em, [input.transactionId]);
    if (!original) throw notFound('Transaction', input.transactionId);
    if (original.kind === 'REVERSAL')
      throw badInput('A reversal cannot be reversed; post a new transaction instead', { field: 'transactionId' });
    if (original.holdId)
      throw badInput('Hold movements are settled by capturing or releasing the hold', { field: 'transactionId' });
    const claim = {
      scope: `reverse:${adminId}`,
      key,
      requestHash: requestHash('reverseTransaction', { transactionId: original.id, reason }),
    };
    if (original.reversedBy && !(await this.ledger.claimed(em, claim))) {
      throw conflict(`Transaction ${original.id} was already reversed by ${original.reversedBy}`, {
        reversedBy: original.reversedBy,
      });
    }
    const postings = await this.ledger.transactions.postingsOf(em, [original.id]);
    try {
      // A replay (same key) returns the original reversal; a second reversal racing this one under another
      // key hits the unique index on `reverses` and is refused.
      return await this.ledger.commit(
        em,
        reversalDraft(original, postings, { actor: adminId, reason, idempotency: claim }),
      );
    } catch (err) {
      if (isUniqueViolation(err, 'transaction_reverses_idx'))
        throw conflict(`Transaction ${original.id} was already reversed`, { field: 'transactionId' });
      throw err;
    }
  }
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e.code === '23505' && (e.constraint === constraint || (e.message ?? '').includes(constraint));
}
