import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { hasClaim, isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { badInput, conflict, DomainError, forbidden, notFound } from '../../../platform/errors.js';
import { isId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import type { FinnotechBanking, TransferResult } from '../../../providers/finnotech/finnotech.port.js';
import { checkIdempotencyKey, parseToman, replayOrConflict, requestHash } from '../idempotency.js';
import { BankAccount } from '../instrument/instrument.entity.js';
import { assertCanSee, requireUser, type InstrumentService } from '../instrument/instrument.service.js';
import { PaymentErrors } from '../payment.errors.js';
import {
  PaymentEvents,
  SOURCE,
  type WithdrawalCompletedPayload,
  type WithdrawalFailedPayload,
  type WithdrawalRequestedPayload,
  type WithdrawalUpdatedPayload,
} from '../payment.events.js';
import { FiatWithdrawal, type FiatWithdrawalStatus } from './withdrawal.entity.js';

export const APPROVE_CLAIM = 'withdrawals:approve';
/** Paya's cap per transfer: 500,000,000 Rial. */
export const MAX_WITHDRAWAL_TOMAN = 50_000_000n;
const MAX_PAGE = 100;

export interface WithdrawalSettings {
  approvalThresholdToman: bigint;
  minWithdrawalToman: bigint;
  holdWaitMs: number;
}

/** A FinnoTech trackId: `fwd` + 32 hex characters (≤ 40), random, one per withdrawal, never reused. */
export function newTrackId(): string {
  return `fwd${randomBytes(16).toString('hex')}`;
}

const holdPlaced = z.object({ reference: z.string() });
const holdRejected = z.object({
  reference: z.string(),
  code: z.string().max(64),
  available: z.string().optional(),
  required: z.string().optional(),
  reason: z.unknown().optional(),
  period: z.string().optional(),
  limit: z.string().optional(),
  remaining: z.string().optional(),
  currency: z.string().nullable().optional(),
});

/**
 * Toman withdrawals to the user's verified IBAN. The saga: REQUESTED (+ payment.withdrawal.requested) → the
 * ledger holds the amount (level limits apply) and answers ledger.hold.placed / rejected → APPROVED, or
 * PENDING_APPROVAL above the threshold until an approver (withdrawals:approve, not the requester) decides → the
 * payout step stores a trackId (SENDING) before the one `transferTo`, resolves anything unclear by
 * `transferInquiry`, and captures (DONE) or releases (FAILED) the hold. Every move is a compare-and-set forward.
 */
export class WithdrawalService {
  constructor(
    private readonly instruments: InstrumentService,
    private readonly settings: WithdrawalSettings,
    private readonly log: Logger,
  ) {}

  async request(
    em: EntityManager,
    viewer: Viewer,
    input: { amountToman: string; bankAccountId: string; idempotencyKey: string },
  ): Promise<FiatWithdrawal> {
    const userId = requireUser(viewer);
    const key = checkIdempotencyKey(input.idempotencyKey);
    const amount = parseToman(input.amountToman, this.settings.minWithdrawalToman, MAX_WITHDRAWAL_TOMAN);
    const hash = requestHash({ amount: amount.toString(), bankAccountId: input.bankAccountId });
    const existing = await em.findOne(FiatWithdrawal, { userId, idempotencyKey: key });
    if (existing) return this.answer(em, replayOrConflict(existing, hash));
    const account = await this.instruments.ownAccount(em, userId, input.bankAccountId);
    let row: FiatWithdrawal;
    try {
      row = await em.transactional(async (tx) => {
        const w = tx.create(FiatWithdrawal, {
          userId,
          bankAccountId: account.id,
          amount,
          needsApproval: amount > this.settings.approvalThresholdToman,
          idempotencyKey: key,
          requestHash: hash,
        });
        recordEvent<WithdrawalRequestedPayload>(tx, PaymentEvents.withdrawalRequested, SOURCE, {
          withdrawalId: w.id,
          userId,
          amount: amount.toString(),
        });
        this.updated(tx, w.id, userId, 'REQUESTED');
        return w;
      });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      em.clear();
      return this.answer(
        em,
        replayOrConflict(await em.findOneOrFail(FiatWithdrawal, { userId, idempotencyKey: key }), hash),
      );
    }
    this.log.info({ withdrawalId: row.id, userId }, 'Toman withdrawal requested: hold asked of the ledger');
    return this.answer(em, row);
  }

  /** Waits (briefly) for the ledger's hold answer, so a refusal is the mutation's own error. */
  private async answer(em: EntityManager, row: FiatWithdrawal): Promise<FiatWithdrawal> {
    const deadline = Date.now() + this.settings.holdWaitMs;
    let current = row;
    while (current.status === 'REQUESTED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      current = (await em.fork().findOne(FiatWithdrawal, { id: row.id })) ?? current;
    }
    if (current.status === 'REJECTED') throw rejection(current);
    return current;
  }

  async byId(em: EntityManager, viewer: Viewer, id: string): Promise<FiatWithdrawal | null> {
    if (!isId('fwd', id)) return null;
    const row = await em.findOne(FiatWithdrawal, { id });
    if (!row) return null;
    assertCanSee(viewer, row.userId);
    return row;
  }

  async page(
    em: EntityManager,
    viewer: Viewer,
    userId: string | null,
    status: FiatWithdrawalStatus | null,
    first: number,
    after: string | null,
  ) {
    if (userId) assertCanSee(viewer, userId);
    else this.requireApprover(viewer);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw badInput(`first must be 1..${MAX_PAGE}`, { field: 'first' });
    const cursor = after == null ? null : decodeWithdrawalCursor(after);
    const where: Record<string, unknown> = {};
    if (userId) where.userId = userId;
    if (status) where.status = status;
    if (cursor) where.id = { $lt: cursor };
    const rows = await em.find(FiatWithdrawal, where, { orderBy: { id: 'desc' }, limit: first + 1 });
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  async approve(em: EntityManager, viewer: Viewer, id: string): Promise<FiatWithdrawal> {
    const approverId = this.requireApprover(viewer);
    const row = await this.forDecision(em, id, approverId);
    const moved = await em.transactional(async (tx) => {
      const n = await tx.nativeUpdate(
        FiatWithdrawal,
        { id, status: 'PENDING_APPROVAL' },
        { status: 'APPROVED', approverId, updatedAt: new Date() },
      );
      if (n) this.updated(tx, id, row.userId, 'APPROVED');
      return n;
    });
    if (!moved) throw conflict('This withdrawal is not waiting for approval', { reason: 'NOT_PENDING_APPROVAL' });
    this.log.info({ withdrawalId: id, approverId }, 'Toman withdrawal approved');
    return em.fork().findOneOrFail(FiatWithdrawal, { id });
  }

  async decline(em: EntityManager, viewer: Viewer, id: string, reason: string): Promise<FiatWithdrawal> {
    const approverId = this.requireApprover(viewer);
    const clean = reason.trim();
    if (clean.length < 3 || clean.length > 500) throw badInput('reason: 3–500 characters', { field: 'reason' });
    const row = await this.forDecision(em, id, approverId);
    const moved = await em.transactional(async (tx) => {
      const n = await tx.nativeUpdate(
        FiatWithdrawal,
        { id, status: 'PENDING_APPROVAL' },
        { status: 'CANCELLED', approverId, failureCode: 'DECLINED', failureReason: clean, updatedAt: new Date() },
      );
      if (n) {
        recordEvent<WithdrawalFailedPayload>(tx, PaymentEvents.withdrawalFailed, SOURCE, { withdrawalId: id });
        this.updated(tx, id, row.userId, 'CANCELLED');
      }
      return n;
    });
    if (!moved) throw conflict('This withdrawal is not waiting for approval', { reason: 'NOT_PENDING_APPROVAL' });
    return em.fork().findOneOrFail(FiatWithdrawal, { id });
  }

  private async forDecision(em: EntityManager, id: string, approverId: string): Promise<FiatWithdrawal> {
    const row = isId('fwd', id) ? await em.findOne(FiatWithdrawal, { id }) : null;
    if (!row) throw notFound('FiatWithdrawal', id);
    if (row.userId === approverId) throw forbidden('Four eyes: nobody approves their own withdrawal');
    return row;
  }

  private requireApprover(viewer: Viewer): string {
    const userId = requireUser(viewer);
    if (!isStaff(viewer) || !hasClaim(viewer, APPROVE_CLAIM)) throw forbidden(`Needs staff with ${APPROVE_CLAIM}`);
    return userId;
  }

  /** The ledger's answer to a hold (inside the consumer's inbox transaction). Other references are not ours. */
  async applyHoldAnswer(tx: EntityManager, event: EventEnvelope, log: Logger): Promise<void> {
    const reference = (event.payload as { reference?: unknown }).reference;
    if (typeof reference !== 'string' || !reference.startsWith('fiat-withdrawal:')) return;
    const id = reference.slice('fiat-withdrawal:'.length);
    const row = await tx.findOne(FiatWithdrawal, { id });
    if (!row) {
      log.error({ reference }, 'hold answer for an unknown withdrawal ignored');
      return;
    }
    if (event.type === 'ledger.hold.placed') {
      holdPlaced.parse(event.payload);
      const next = row.needsApproval ? 'PENDING_APPROVAL' : 'APPROVED';
      const n = await tx.nativeUpdate(
        FiatWithdrawal,
        { id, status: 'REQUESTED' },
        { status: next, updatedAt: new Date() },
      );
      if (n) this.updated(tx, id, row.userId, next);
      return;
    }
    const r = holdRejected.parse(event.payload);
    const { reference: _ref, code, ...details } = r;
    const n = await tx.nativeUpdate(
      FiatWithdrawal,
      { id, status: 'REQUESTED' },
      { status: 'REJECTED', failureCode: code, failureReason: JSON.stringify(details), updatedAt: new Date() },
    );
    if (n) this.updated(tx, id, row.userId, 'REJECTED');
  }

  /** Withdrawals the payout step should work on: APPROVED ones, and SENDING ones idle for `idleSeconds`. */
  async payoutWork(em: EntityManager, idleSeconds: number, limit: number): Promise<string[]> {
    const rows = await em.getConnection().execute<{ id: string }[]>(
      `select id from payment.fiat_withdrawal
        where status = 'APPROVED' or (status = 'SENDING' and updated_at < now() - make_interval(secs => ?))
        order by updated_at limit ?`,
      [idleSeconds, limit],
      'all',
    );
    return rows.map((r) => r.id);
  }

  /**
   * One step of one withdrawal's payout. APPROVED: the trackId is committed (SENDING) before `transferTo` is called,
   * so a crash after the call leaves a trackId to look up. SENDING: only `transferInquiry`, never a second transfer.
   * `beforeRecord` is a test seam: it runs between the bank's answer and its recording.
   */
  async payoutStep(
    em: EntityManager,
    bank: FinnotechBanking,
    id: string,
    beforeRecord?: () => Promise<void>,
  ): Promise<FiatWithdrawalStatus> {
    const row = await em.fork().findOneOrFail(FiatWithdrawal, { id });
    const log = this.log.child({ withdrawalId: id });
    let result: TransferResult;
    if (row.status === 'APPROVED') {
      const trackId = newTrackId();
      const claimed = await em.transactional(async (tx) => {
        const n = await tx.nativeUpdate(
          FiatWithdrawal,
          { id, status: 'APPROVED' },
          { status: 'SENDING', trackId, sentAt: new Date(), updatedAt: new Date() },
        );
        if (n) this.updated(tx, id, row.userId, 'SENDING');
        return n;
      });
      if (!claimed) return (await em.fork().findOneOrFail(FiatWithdrawal, { id })).status;
      const account = await em.fork().findOneOrFail(BankAccount, { id: row.bankAccountId });
      const [numbered] = await em
        .getConnection()
        .execute<{ n: string }[]>(`select payout_number::text as n from payment.fiat_withdrawal where id = ?`, [id]);
      try {
        result = await bank.transferTo({
          trackId,
          amountToman: row.amount,
          destinationIban: account.iban,
          destinationOwner: this.instruments.ownerOf(account),
          description: 'Toman withdrawal',
          paymentNumber: numbered!.n,
        });
      } catch (err) {
        log.warn({ error: (err as Error).name }, 'transferTo did not answer: resolved later by inquiry');
        return 'SENDING';
      }
    } else if (row.status === 'SENDING') {
      try {
        result = await bank.transferInquiry(row.trackId!);
      } catch (err) {
        log.warn({ error: (err as Error).name }, 'transferInquiry did not answer: asked again later');
        await em.nativeUpdate(FiatWithdrawal, { id, status: 'SENDING' }, { updatedAt: new Date() });
        return 'SENDING';
      }
    } else return row.status;
    if (beforeRecord) await beforeRecord();
    return this.record(em, row, result, log);
  }

  private async record(
    em: EntityManager,
    row: FiatWithdrawal,
    result: TransferResult,
    log: Logger,
  ): Promise<FiatWithdrawalStatus> {
    if (result.notFound) {
      // FinnoTech never received this trackId (we stopped between storing it and the call, or the call never
      // arrived): no money left, and a trackId is never reused. The withdrawal fails and the hold is released; the
      // user asks again with a new request.
      log.warn({ trackId: row.trackId }, 'transfer never reached the bank: failed, hold released');
      result = { ...result, state: 'FAILED', message: 'TRANSFER_NOT_RECEIVED' };
    }
    if (result.state === 'PENDING' || result.state === 'UNKNOWN') {
      await em.nativeUpdate(FiatWithdrawal, { id: row.id, status: 'SENDING' }, { updatedAt: new Date() });
      log.info({ state: result.state }, 'transfer not final yet: asked again by inquiry');
      return 'SENDING';
    }
    const status = result.state === 'DONE' ? 'DONE' : 'FAILED';
    await em.transactional(async (tx) => {
      const n = await tx.nativeUpdate(
        FiatWithdrawal,
        { id: row.id, status: 'SENDING' },
        status === 'DONE'
          ? { status, bankRef: result.refCode, updatedAt: new Date() }
          : {
              status,
              failureCode: 'TRANSFER_FAILED',
              failureReason: result.message?.slice(0, 500) ?? null,
              updatedAt: new Date(),
            },
      );
      if (!n) return;
      if (status === 'DONE')
        recordEvent<WithdrawalCompletedPayload>(tx, PaymentEvents.withdrawalCompleted, SOURCE, {
          withdrawalId: row.id,
          amount: row.amount.toString(),
        });
      else recordEvent<WithdrawalFailedPayload>(tx, PaymentEvents.withdrawalFailed, SOURCE, { withdrawalId: row.id });
      this.updated(tx, row.id, row.userId, status);
    });
    log.info({ status }, 'Toman withdrawal settled');
    return status;
  }

  private updated(tx: EntityManager, withdrawalId: string, userId: string, status: FiatWithdrawalStatus): void {
    recordEvent<WithdrawalUpdatedPayload>(tx, PaymentEvents.withdrawalUpdated, SOURCE, {
      withdrawalId,
      userId,
      status,
    });
  }
}

function rejection(row: FiatWithdrawal): DomainError {
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(row.failureReason ?? '{}') as Record<string, unknown>;
  } catch {
    details = {};
  }
  const withId = { withdrawalId: row.id, ...details };
  switch (row.failureCode) {
    case 'INSUFFICIENT_FUNDS':
      return PaymentErrors.insufficientFunds(withId);
    case 'LIMIT_EXCEEDED':
      return PaymentErrors.limitExceeded(withId);
    case 'ACCOUNT_FROZEN':
      return PaymentErrors.accountFrozen(withId);
    default:
      return conflict('The ledger refused to hold this withdrawal', { reason: row.failureCode, withdrawalId: row.id });
  }
}

export function encodeWithdrawalCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

function decodeWithdrawalCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isId('fwd', id)) throw badInput('after is not a cursor from this connection', { field: 'after' });
  return id;
}
