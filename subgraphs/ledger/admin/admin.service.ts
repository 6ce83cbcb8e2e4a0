import type { EntityManager } from '@mikro-orm/postgresql';
import { hasClaim, hasRole, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { accounts } from '../core/accounts.js';
import { checkAsset, checkIdempotencyKey, checkSignedAmount, checkText } from '../core/inputs.js';
import { reversalDraft, type Ledger, type LedgerResult } from '../core/ledger.js';
import { draft } from '../core/ledger.types.js';
import { requestHash } from '../core/request-hash.js';
import { verifyLedger, type LedgerReport } from '../core/verifier.js';
import type { UserDirectory } from '../directory/directory.service.js';

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

/**
 * Staff money operations. Creating or undoing money takes two keys: the FINANCE role (or SUPERADMIN) and
 * the `ledger:adjust` claim. Every such transaction records who (actor), when (created_at) and why
 * (reason) in the append-only, hash-chained log: that is the audit trail.
 */
export class AdminService {
  constructor(
    private readonly ledger: Ledger,
    private readonly directory: UserDirectory,
    private readonly log: Logger,
  ) {}

  requireMoneyAdmin(viewer: Viewer): string {
    if (!viewer.userId) throw unauthenticated();
    const finance = hasRole(viewer, 'FINANCE', 'SUPERADMIN');
    if (!finance || !hasClaim(viewer, LEDGER_ADJUST_CLAIM)) throw forbidden(`Requires the FINANCE role and the ${LEDGER_ADJUST_CLAIM} claim`);
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
    if (!report.ok) this.log.error({ mismatches: report.mismatches.length, first: report.mismatches[0] }, 'ledger verification found mismatches');
    return report;
  }

  /** Credits (amount > 0, from world:<asset>) or debits (amount < 0, to world:<asset>) a user's available balance. */
  async adjustBalance(em: EntityManager, viewer: Viewer, input: AdjustBalanceRequest): Promise<LedgerResult> {
    const adminId = this.requireMoneyAdmin(viewer);
    const key = checkIdempotencyKey(input.idempotencyKey);
    const asset = checkAsset(input.asset);
    const amount = checkSignedAmount(input.amount, asset);
    const reason = checkText(input.reason, 'reason', { max: 500, required: true })!;
    if (reason.length < 5) throw badInput('reason must say why (at least 5 characters)', { field: 'reason' });
    if (!(await this.directory.exists(em, input.userId))) throw notFound('User', input.userId);
    const user = accounts.available(input.userId, asset.symbol);
    const world = accounts.world(asset.symbol);
    const magnitude = amount < 0n ? -amount : amount;
    const result = await this.ledger.commit(
      em,
      draft({
        kind: 'ADJUSTMENT',
        asset: asset.symbol,
        amount: magnitude,
        userId: input.userId,
        actor: adminId,
        reason,
        postings: [amount > 0n ? { source: world, destination: user, asset: asset.symbol, amount } : { source: user, destination: world, asset: asset.symbol, amount: magnitude }],
        idempotency: { scope: `adjust:${adminId}`, key, requestHash: requestHash('adjustBalance', { userId: input.userId, asset: asset.symbol, amount, reason }) },
      }),
    );
    if (result.type === 'Transaction' && !result.replayed) this.log.info({ adminId, userId: input.userId, asset: asset.symbol, amount: amount.toString(), transactionId: result.transaction.id }, 'balance adjusted');
    return result;
  }

  /** A new transaction with every posting of the original turned around; a transaction is reversed at most once. */
  async reverse(em: EntityManager, viewer: Viewer, input: ReverseRequest): Promise<LedgerResult> {
    const adminId = this.requireMoneyAdmin(viewer);
    const key = checkIdempotencyKey(input.idempotencyKey);
    const reason = checkText(input.reason, 'reason', { max: 500, required: true })!;
    const [original] = await this.ledger.transactions.byIds(em, [input.transactionId]);
    if (!original) throw notFound('Transaction', input.transactionId);
    if (original.kind === 'REVERSAL') throw badInput('A reversal cannot be reversed; post a new transaction instead', { field: 'transactionId' });
    if (original.holdId) throw badInput('Hold movements are settled by capturing or releasing the hold', { field: 'transactionId' });
    const claim = { scope: `reverse:${adminId}`, key, requestHash: requestHash('reverseTransaction', { transactionId: original.id, reason }) };
    if (original.reversedBy && !(await this.ledger.claimed(em, claim))) {
      throw conflict(`Transaction ${original.id} was already reversed by ${original.reversedBy}`, { reversedBy: original.reversedBy });
    }
    const postings = await this.ledger.transactions.postingsOf(em, [original.id]);
    try {
      // A replay (same key) returns the original reversal; a second reversal racing this one under another
      // key hits the unique index on `reverses` and is refused.
      return await this.ledger.commit(em, reversalDraft(original, postings, { actor: adminId, reason, idempotency: claim }));
    } catch (err) {
      if (isUniqueViolation(err, 'transaction_reverses_idx')) throw conflict(`Transaction ${original.id} was already reversed`, { field: 'transactionId' });
      throw err;
    }
  }
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e.code === '23505' && (e.constraint === constraint || (e.message ?? '').includes(constraint));
}
