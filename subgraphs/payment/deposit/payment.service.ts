import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { badInput, DomainError, ErrorCode } from '../../../platform/errors.js';
import { isId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import type { PaystarCallback, PaystarGateway, PaystarInquiry } from '../../../providers/paystar/paystar.port.js';
import { checkIdempotencyKey, parseToman, replayOrConflict, requestHash } from '../idempotency.js';
import type { InstrumentService } from '../instrument/instrument.service.js';
import { assertCanSee, requireUser } from '../instrument/instrument.service.js';
import { BankCard } from '../instrument/instrument.entity.js';
import { cardMatches } from '../instrument/validation.js';
import {
  PaymentEvents,
  SOURCE,
  type CardPaymentStartedPayload,
  type DepositReceivedPayload,
} from '../payment.events.js';
import { PAYMENT_FINAL, Payment, type PaymentStatus } from './payment.entity.js';

/** Paystar's smallest and largest card payment, in Toman (Shaparak's per-payment cap is 500,000,000 Rial). */
export const MIN_PAYMENT_TOMAN = 1_000n;
export const MAX_PAYMENT_TOMAN = 50_000_000n;
/** How long one settle may hold a payment before another caller (the reconciler) may take it over. */
export const CLAIM_LEASE_SECONDS = 60;
const MAX_PAGE = 100;

export interface PaymentSettings {
  /** `<publicUrl>/payments/paystar/callback`. */
  callbackUrl: string;
}

export type SettleOutcome = PaymentStatus | 'BUSY' | 'NOT_FOUND';

/**
 * Paystar card payments. The browser's callback is only a hint: whoever wins the payment's lease asks Paystar
 * (`inquiry`, safe to repeat) where it stands, checks the amount and the card, then moves the row to VERIFYING
 * before the one `verify` call, and to PAID with the ledger's credit event in one transaction. A VERIFYING row is
 * never retried blindly: the reconciler resolves it with `inquiry` (verified or not), so a payment verified at
 * Paystar that we failed to record is recorded later, exactly once.
 */
export class PaymentService {
  constructor(
    private readonly paystar: PaystarGateway,
    private readonly instruments: InstrumentService,
    private readonly settings: PaymentSettings,
    private readonly log: Logger,
  ) {}

  async start(
    em: EntityManager,
    viewer: Viewer,
    input: { amountToman: string; cardId: string; idempotencyKey: string },
  ): Promise<Payment> {
    const userId = requireUser(viewer);
    const key = checkIdempotencyKey(input.idempotencyKey);
    const amount = parseToman(input.amountToman, MIN_PAYMENT_TOMAN, MAX_PAYMENT_TOMAN);
    const hash = requestHash({ amount: amount.toString(), cardId: input.cardId });
    const existing = await em.findOne(Payment, { userId, idempotencyKey: key });
    if (existing) return this.resumeStart(em, replayOrConflict(existing, hash));
    const card = await this.instruments.ownCard(em, userId, input.cardId);
    const payment = em.create(Payment, { userId, cardId: card.id, amount, idempotencyKey: key, requestHash: hash });
    // committed with the row (one flush): support can link a payment that never completes, the usual complaint
    recordEvent<CardPaymentStartedPayload>(em, PaymentEvents.cardPaymentStarted, SOURCE, {
      paymentId: payment.id,
      userId,
    });
    try {
      await em.flush();
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      em.clear();
      const winner = await em.findOneOrFail(Payment, { userId, idempotencyKey: key });
      return this.resumeStart(em, replayOrConflict(winner, hash));
    }
    return this.openSession(em, payment, card);
  }

  /** A replayed start: the session made the first time, or a new attempt when the first call never got one. */
  private async resumeStart(em: EntityManager, payment: Payment): Promise<Payment> {
    if (payment.paymentUrl || payment.status !== 'INIT') return payment;
    const card = await em.findOneOrFail(BankCard, { id: payment.cardId });
    return this.openSession(em, payment, card);
  }

  private async openSession(em: EntityManager, payment: Payment, card: BankCard): Promise<Payment> {
    let session;
    try {
      session = await this.paystar.create({
        amountToman: payment.amount,
        orderId: payment.id,
        callbackUrl: this.settings.callbackUrl,
        cardNumber: this.instruments.numberOf(card),
        description: `Toman deposit ${payment.id}`,
      });
    } catch (err) {
      this.log.warn({ paymentId: payment.id, error: (err as Error).name }, 'Paystar create failed');
      throw new DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'The payment gateway does not answer; try again with the same idempotencyKey',
      );
    }
    await em.nativeUpdate(
      Payment,
      { id: payment.id, token: null },
      { token: session.token, refNum: session.refNum, paymentUrl: session.paymentUrl, updatedAt: new Date() },
    );
    em.clear();
    const stored = await em.findOneOrFail(Payment, { id: payment.id });
    this.log.info({ paymentId: payment.id, userId: payment.userId }, 'card payment started');
    return stored;
  }

  async byId(em: EntityManager, viewer: Viewer, id: string): Promise<Payment | null> {
    if (!isId('pay', id)) return null;
    const payment = await em.findOne(Payment, { id });
    if (!payment) return null;
    assertCanSee(viewer, payment.userId);
    return payment;
  }

  async page(em: EntityManager, viewer: Viewer, userId: string, first: number, after: string | null) {
    assertCanSee(viewer, userId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw badInput(`first must be 1..${MAX_PAGE}`, { field: 'first' });
    const cursor = after == null ? null : decodePaymentCursor(after);
    const rows = await em.find(Payment, cursor ? { userId, id: { $lt: cursor } } : { userId }, {
      orderBy: { id: 'desc' },
      limit: first + 1,
    });
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /**
   * The browser came back from Paystar. Records that it did (INIT → CALLBACK_RECEIVED), then settles the payment
   * unless another caller holds it: the callback's own status and card are hints, Paystar's inquiry decides.
   */
  async callback(
    em: EntityManager,
    params: PaystarCallback,
  ): Promise<{ payment: Payment | null; outcome: SettleOutcome }> {
    if (!isId('pay', params.orderId)) return { payment: null, outcome: 'NOT_FOUND' };
    const payment = await em.findOne(Payment, { id: params.orderId });
    if (!payment || !payment.refNum) return { payment: null, outcome: 'NOT_FOUND' };
    if (params.refNum !== payment.refNum)
      this.log.warn({ paymentId: payment.id }, 'callback names another ref_num: ignored, our own is used');
    await em.nativeUpdate(
      Payment,
      { id: payment.id, status: 'INIT' },
      { status: 'CALLBACK_RECEIVED', updatedAt: new Date() },
    );
    const outcome = await this.settle(em, payment.id, { hint: params });
    em.clear();
    return { payment: await em.findOne(Payment, { id: payment.id }), outcome };
  }

  /**
   * Resolves one payment if nobody else holds it (a lease on `claimed_at`). Safe to run any number of times,
   * concurrently, from the callback and from the reconciler.
   */
  async settle(
    em: EntityManager,
    paymentId: string,
    options: { hint?: PaystarCallback; expireUnpaidBefore?: Date } = {},
  ): Promise<SettleOutcome> {
    const conn = em.getConnection();
    const claimed = await conn.execute<{ id: string }[]>(
      `update payment.payment set claimed_at = now()
        where id = ? and status in ('INIT', 'CALLBACK_RECEIVED', 'VERIFYING')
          and (claimed_at is null or claimed_at < now() - make_interval(secs => ?))
        returning id`,
      [paymentId, CLAIM_LEASE_SECONDS],
      'all',
    );
    if (claimed.length === 0) {
      const row = await em.fork().findOne(Payment, { id: paymentId });
      if (!row) return 'NOT_FOUND';
      return PAYMENT_FINAL.includes(row.status) ? row.status : 'BUSY';
    }
    try {
      return await this.settleClaimed(em.fork(), paymentId, options);
    } finally {
      await conn.execute(`update payment.payment set claimed_at = null where id = ?`, [paymentId], 'run');
    }
  }

  private async settleClaimed(
    em: EntityManager,
    paymentId: string,
    options: { hint?: PaystarCallback; expireUnpaidBefore?: Date },
  ): Promise<SettleOutcome> {
    const payment = await em.findOneOrFail(Payment, { id: paymentId });
    const log = this.log.child({ paymentId, userId: payment.userId });
    let state: PaystarInquiry;
    try {
      state = await this.paystar.inquiry(payment.refNum!, payment.id);
    } catch (err) {
      log.warn({ error: (err as Error).name }, 'Paystar inquiry failed: left for the reconciler');
      return payment.status;
    }
    if (state.state !== 'PAID') {
      const final = state.state === 'FAILED' || state.state === 'EXPIRED';
      const stale = options.expireUnpaidBefore && payment.createdAt < options.expireUnpaidBefore;
      if (final || stale) {
        await this.finish(em, payment, 'FAILED', `PAYSTAR_${state.state}:${state.code}`);
        return 'FAILED';
      }
      return payment.status;
    }
    const card = await em.findOneOrFail(BankCard, { id: payment.cardId });
    const number = this.instruments.numberOf(card);
    const reportedCard = state.cardNumber ?? options.hint?.cardNumber ?? null;
    if (state.amountToman !== payment.amount || !cardMatches(number, reportedCard)) {
      const reason =
        state.amountToman !== payment.amount
          ? `AMOUNT_MISMATCH: paid ${state.amountToman}, expected ${payment.amount}`
          : 'CARD_MISMATCH: paid with a card that is not the verified one';
      if (state.verified) {
        // Verified by someone (cannot be us: we verify only after these checks): money is in, staff decide.
        log.error({ reason }, 'ADMIN ALERT: a verified Paystar payment fails our checks: parked, not credited');
      } else log.warn({ reason }, 'payment refused before verify: Shaparak returns the money to the payer');
      await this.finish(em, payment, 'REFUSED', reason, reportedCard, state.trackingCode);
      return 'REFUSED';
    }
    if (state.verified) {
      // Verified earlier (our process stopped before recording it): record it now, once.
      return this.recordPaid(em, payment, reportedCard, state.trackingCode, log);
    }
    // The point of no return: from here only inquiry resolves this payment, never a second blind verify.
    const moved = await em.nativeUpdate(
      Payment,
      { id: payment.id, status: { $in: ['INIT', 'CALLBACK_RECEIVED'] } },
      { status: 'VERIFYING', updatedAt: new Date() },
    );
    if (moved === 0 && payment.status !== 'VERIFYING') return payment.status;
    const trackingCode = state.trackingCode ?? options.hint?.trackingCode ?? '';
    let verification;
    try {
      verification = await this.paystar.verify({
        refNum: payment.refNum!,
        amountToman: payment.amount,
        cardNumber: reportedCard ?? '',
        trackingCode,
      });
    } catch (err) {
      log.warn({ error: (err as Error).name }, 'Paystar verify did not answer: the reconciler resolves it by inquiry');
      return 'VERIFYING';
    }
    if (verification.outcome === 'REFUSED') {
      await this.finish(em, payment, 'FAILED', `VERIFY_REFUSED:${verification.code}`, reportedCard, trackingCode);
      return 'FAILED';
    }
    if (verification.amountToman !== payment.amount) {
      log.error({ verified: verification.amountToman.toString() }, 'ADMIN ALERT: verified amount differs: parked');
      await this.finish(
        em,
        payment,
        'REFUSED',
        `AMOUNT_MISMATCH: verified ${verification.amountToman}`,
        reportedCard,
        trackingCode,
      );
      return 'REFUSED';
    }
    return this.recordPaid(
      em,
      payment,
      verification.cardNumber ?? reportedCard,
      verification.trackingCode ?? trackingCode,
      log,
    );
  }

  /** PAID and the ledger's credit event in one transaction, from a non-final state (compare-and-set). */
  private async recordPaid(
    em: EntityManager,
    payment: Payment,
    paidCard: string | null,
    trackingCode: string | null,
    log: Logger,
  ): Promise<SettleOutcome> {
    const done = await em.transactional(async (tx) => {
      const moved = await tx.nativeUpdate(
        Payment,
        { id: payment.id, status: { $in: ['INIT', 'CALLBACK_RECEIVED', 'VERIFYING'] } },
        { status: 'PAID', verifiedAt: new Date(), paidCard, trackingCode, updatedAt: new Date() },
      );
      if (moved === 0) return false;
      recordEvent<DepositReceivedPayload>(tx, PaymentEvents.depositReceived, SOURCE, {
        reference: `paystar:${payment.id}`,
        userId: payment.userId,
        amount: payment.amount.toString(),
        channel: 'PAYSTAR',
      });
      return true;
    });
    if (done) log.info({ amount: payment.amount.toString() }, 'card payment verified: credit requested');
    return 'PAID';
  }

  private async finish(
    em: EntityManager,
    payment: Payment,
    status: 'FAILED' | 'REFUSED',
    reason: string,
    paidCard: string | null = null,
    trackingCode: string | null = null,
  ): Promise<void> {
    await em.nativeUpdate(
      Payment,
      { id: payment.id, status: { $in: ['INIT', 'CALLBACK_RECEIVED', 'VERIFYING'] } },
      { status, failureReason: reason.slice(0, 500), paidCard, trackingCode, updatedAt: new Date() },
    );
  }

  /** Payments the reconciler should look at: open ones not touched for `idleSeconds`. */
  async openPayments(em: EntityManager, idleSeconds: number, limit: number): Promise<string[]> {
    const rows = await em.getConnection().execute<{ id: string }[]>(
      `select id from payment.payment where status in ('INIT', 'CALLBACK_RECEIVED', 'VERIFYING')
           and updated_at < now() - make_interval(secs => ?) and (claimed_at is null or claimed_at < now() - make_interval(secs => ?))
         order by updated_at limit ?`,
      [idleSeconds, CLAIM_LEASE_SECONDS, limit],
      'all',
    );
    return rows.map((r) => r.id);
  }
}

export function encodePaymentCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

export function decodePaymentCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isId('pay', id)) throw badInput('after is not a cursor from this connection', { field: 'after' });
  return id;
}
