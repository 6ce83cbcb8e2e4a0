import { createHmac, randomInt } from 'node:crypto';
import { decodeQueueCursor, queuePageFilter } from '../review-queue.js';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { hasClaim, type Viewer } from '../../../platform/auth/viewer.js';
import type { KycPhoneSettings } from '../../../platform/config/config.js';
import {
  badInput,
  conflict,
  DomainError,
  ErrorCode,
  forbidden,
  notFound,
  unauthenticated,
} from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { Redis } from '../../../platform/redis.js';
import { OtpRefusedError, type OtpSender } from '../../../providers/sms/index.js';
import { KycDocument } from '../document/document.entity.js';
import { sameCodeHash, takeCodeSendAllowance } from '../../../platform/otp/code-sending.js';
import { VerifiedPhone } from '../phone/phone.entity.js';
import { KycSubmission } from '../submission/submission.entity.js';
import { asciiDigits } from '../validation/digits.js';
import { normalizeIranianMobile } from '../validation/phone.js';
import { AccountRecovery, AccountRecoveryAudit, RecoveryCode, type RecoveryStatus } from './recovery.entity.js';
import {
  RecoveryEvents,
  type RecoveryApprovedPayload,
  type RecoveryRejectedPayload,
  type RecoveryRequestedPayload,
} from './recovery.events.js';

const SOURCE = 'kyc';
const REVIEW_CLAIM = 'kyc:review';
const ID = /^rec_[0-9a-z]{26}$/;

export interface RecoveryCodeSent {
  phone: string;
  expiresAt: Date;
  resendAfterSeconds: number;
}

export interface RecoveryPage {
  nodes: AccountRecovery[];
  hasNextPage: boolean;
}

const err = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError(code, message, details);

/**
 * Account recovery. Someone who lost their Telegram account signs in with a new one (an empty account) and
 * proves the phone verified by the lost account with an SMS code; that makes a PENDING request which a
 * `kyc:review` reviewer who is neither account approves or rejects, once. The approval's event makes identity
 * move the Telegram id. The answer to `requestCode` is the same whether or not the number belongs to someone
 * (a code that was never sent is stored too), so numbers cannot be probed; codes are never logged or returned.
 */
export class RecoveryService {
  constructor(
    private readonly sender: OtpSender,
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly settings: KycPhoneSettings,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  requireReviewer(viewer: Viewer): string {
    if (!viewer.userId) throw unauthenticated();
    if (!hasClaim(viewer, REVIEW_CLAIM))
      throw forbidden(`Reviewing account recoveries needs the ${REVIEW_CLAIM} claim`);
    return viewer.userId;
  }

  private phoneOf(raw: string): string {
    const phone = normalizeIranianMobile(raw);
    if (!phone)
      throw badInput('phone is not an Iranian mobile number (09XXXXXXXXX or +989XXXXXXXXX)', { field: 'phone' });
    return phone;
  }

  /** The account asking must be new: no verified number, submission or document of its own. */
  private async requireEmpty(em: EntityManager, userId: string): Promise<void> {
    const [phone, submission, document] = await Promise.all([
      em.count(VerifiedPhone, { userId }),
      em.count(KycSubmission, { userId }),
      em.count(KycDocument, { userId }),
    ]);
    if (phone + submission + document > 0)
      throw conflict('Recovery is asked from a new, empty account: this one already holds KYC data', {
        reason: 'NEW_ACCOUNT_NOT_EMPTY',
      });
  }

  async requestCode(em: EntityManager, viewer: Viewer, raw: string): Promise<RecoveryCodeSent> {
    const requesterId = viewer.userId;
    if (!requesterId) throw unauthenticated();
    const phone = this.phoneOf(raw);
    await this.requireEmpty(em, requesterId);
    // Limits first, the same for every number, so the answer says nothing about who owns it.
    await takeCodeSendAllowance(this.redis, `${this.keyPrefix}kyc:recovery:`, this.settings, requesterId, phone);
    const owner = await em.findOne(VerifiedPhone, { phone });
    const row = em.create(RecoveryCode, {
      requesterId,
      phone,
      codeHash: '',
      expiresAt: new Date(this.now().getTime() + this.settings.codeTtlSeconds * 1000),
    });
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    row.codeHash = hashCode(row.id, requesterId, phone, code);
    // Only a number verified by another account gets an SMS; otherwise the code is stored but never sent, so
    // proving it later fails exactly like a wrong code.
    if (owner && owner.userId !== requesterId) {
      try {
        await this.sender.sendCode({ phone, code });
      } catch (error) {
        this.log.warn({ userId: requesterId, codeId: row.id, error: (error as Error).name }, 'recovery code not sent');
        em.clear();
        await this.redis.del(this.cooldownKey(phone));
        if (error instanceof OtpRefusedError && error.reason === 'RECIPIENT')
          throw badInput('The SMS provider refused this number', { field: 'phone' });
        throw err(ErrorCode.SERVICE_UNAVAILABLE, 'The SMS provider is not answering; try again shortly');
      }
    }
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(
        RecoveryCode,
        { requesterId, phone, consumedAt: null, id: { $ne: row.id } },
        { consumedAt: this.now() },
      );
      tx.persist(row);
    });
    this.log.info({ userId: requesterId, codeId: row.id }, 'recovery code requested');
    return { phone, expiresAt: row.expiresAt, resendAfterSeconds: this.settings.resendSeconds };
  }

  private cooldownKey(phone: string): string {
    return `${this.keyPrefix}kyc:recovery:cooldown:${phone}`;
  }

  /** Proves the code and opens a PENDING request linking the number's owner and the viewer. */
  async confirm(em: EntityManager, viewer: Viewer, raw: string, rawCode: string): Promise<AccountRecovery> {
    const requesterId = viewer.userId;
    if (!requesterId) throw unauthenticated();
    const phone = this.phoneOf(raw);
    const code = asciiDigits(rawCode.trim());
    if (!/^\d{6}$/.test(code)) throw badInput('code: the 6 digits sent by SMS', { field: 'code' });

    // A wrong guess is committed before it is reported.
    let failure: DomainError | null = null;
    const recovery = await em
      .transactional(async (tx) => {
        const row = await tx.findOne(
          RecoveryCode,
          { requesterId, phone, consumedAt: null },
          { orderBy: { createdAt: 'desc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (!row) {
          failure = err(ErrorCode.PHONE_CODE_EXPIRED, 'No code is waiting for this number: ask for one');
          return null;
        }
        if (row.lockedAt) {
          failure = err(ErrorCode.PHONE_LOCKED, 'Too many wrong codes: ask for a new one');
          return null;
        }
        if (row.expiresAt.getTime() <= this.now().getTime()) {
          row.consumedAt = this.now();
          failure = err(ErrorCode.PHONE_CODE_EXPIRED, 'The code has expired: ask for a new one');
          return null;
        }
        if (!sameCodeHash(row.codeHash, hashCode(row.id, requesterId, phone, code))) {
          row.attempts += 1;
          const left = this.settings.maxAttempts - row.attempts;
          if (left <= 0) {
            row.lockedAt = this.now();
            failure = err(ErrorCode.PHONE_LOCKED, 'Too many wrong codes: ask for a new one');
          } else failure = err(ErrorCode.PHONE_CODE_INVALID, 'The code is wrong', { attemptsLeft: left });
          return null;
        }
        row.consumedAt = this.now();
        await this.requireEmpty(tx, requesterId);
        // The right code was sent only to a number another account owns; it may have changed hands since.
        const owner = await tx.findOne(VerifiedPhone, { phone });
        if (!owner || owner.userId === requesterId) {
          failure = err(ErrorCode.PHONE_CODE_EXPIRED, 'The code is no longer valid: ask for a new one');
          return null;
        }
        const created = tx.create(AccountRecovery, { oldUserId: owner.userId, newUserId: requesterId, phone });
        // The request row first: the audit row references it (the ORM does not order unrelated inserts).
        await tx.flush();
        tx.create(AccountRecoveryAudit, {
          recoveryId: created.id,
          action: 'REQUESTED',
          actorId: requesterId,
          oldUserId: owner.userId,
          newUserId: requesterId,
        });
        recordEvent<RecoveryRequestedPayload>(tx, RecoveryEvents.requested, SOURCE, {
          recoveryId: created.id,
          oldUserId: owner.userId,
          newUserId: requesterId,
        });
        await tx.flush();
        return created;
      })
      .catch((error: unknown) => {
        if (error instanceof UniqueConstraintViolationException)
          throw conflict('A recovery of this account is already waiting for review', { reason: 'RECOVERY_PENDING' });
        throw error;
      });
    if (failure) {
      this.log.info({ userId: requesterId, outcome: (failure as DomainError).code }, 'recovery code refused');
      throw failure;
    }
    this.log.info(
      { recoveryId: recovery!.id, oldUserId: recovery!.oldUserId, newUserId: requesterId },
      'account recovery requested',
    );
    return recovery!;
  }

  async approve(em: EntityManager, viewer: Viewer, id: string, note: string | null): Promise<AccountRecovery> {
    const reviewerId = this.requireReviewer(viewer);
    const clean = note?.trim() || null;
    if (clean && clean.length > 1000) throw badInput('note: at most 1000 characters', { field: 'note' });
    return this.decide(em, reviewerId, id, 'APPROVED', clean, (tx, r) =>
      recordEvent<RecoveryApprovedPayload>(tx, RecoveryEvents.approved, SOURCE, {
        recoveryId: r.id,
        oldUserId: r.oldUserId,
        newUserId: r.newUserId,
      }),
    );
  }

  async reject(em: EntityManager, viewer: Viewer, id: string, reason: string): Promise<AccountRecovery> {
    const reviewerId = this.requireReviewer(viewer);
    const clean = reason.trim();
    if (clean.length < 3 || clean.length > 1000)
      throw badInput('reason: 3 to 1000 characters the requester will read', { field: 'reason' });
    return this.decide(em, reviewerId, id, 'REJECTED', clean, (tx, r) =>
      recordEvent<RecoveryRejectedPayload>(tx, RecoveryEvents.rejected, SOURCE, {
        recoveryId: r.id,
        oldUserId: r.oldUserId,
        newUserId: r.newUserId,
      }),
    );
  }

  /** One decision on a PENDING request under its row lock: the status, the audit row and the event commit together. */
  private async decide(
    em: EntityManager,
    reviewerId: string,
    id: string,
    status: Exclude<RecoveryStatus, 'PENDING'>,
    text: string | null,
    publish: (tx: EntityManager, r: AccountRecovery) => unknown,
  ): Promise<AccountRecovery> {
    if (!ID.test(id)) throw notFound('AccountRecovery', id);
    const recovery = await em.transactional(async (tx) => {
      const row = await tx.findOne(AccountRecovery, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) throw notFound('AccountRecovery', id);
      if (row.oldUserId === reviewerId || row.newUserId === reviewerId)
        throw forbidden('Nobody reviews a recovery of their own account');
      if (row.status !== 'PENDING')
        throw conflict(`The recovery is already ${row.status}`, { reason: 'ALREADY_DECIDED', status: row.status });
      row.status = status;
      row.reviewerId = reviewerId;
      row.decidedAt = this.now();
      if (status === 'APPROVED') row.note = text;
      else row.reason = text;
      tx.create(AccountRecoveryAudit, {
        recoveryId: row.id,
        action: status,
        actorId: reviewerId,
        oldUserId: row.oldUserId,
        newUserId: row.newUserId,
        note: text,
      });
      publish(tx, row);
      return row;
    });
    this.log.info(
      { recoveryId: recovery.id, oldUserId: recovery.oldUserId, newUserId: recovery.newUserId, reviewerId, status },
      'account recovery decided',
    );
    return recovery;
  }

  /** The review queue, oldest first. */
  async list(
    em: EntityManager,
    viewer: Viewer,
    status: RecoveryStatus | null,
    first: number,
    after: string | null,
  ): Promise<RecoveryPage> {
    this.requireReviewer(viewer);
    if (!Number.isInteger(first) || first < 1 || first > 100) throw badInput('first: 1 to 100', { field: 'first' });
    const cursor = after == null ? null : decodeQueueCursor(after, ID);
    const where = queuePageFilter(status, cursor);
    const rows = await em.find(AccountRecovery, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 });
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }
}

/** HMAC-SHA256 keyed by the code's row id over requester, number and code: never the code itself. */
function hashCode(id: string, requesterId: string, phone: string, code: string): string {
  return createHmac('sha256', id).update(`recovery|${requesterId}|${phone}|${code}`).digest('base64url');
}
