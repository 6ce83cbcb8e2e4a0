import { createHmac, randomInt } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '../../../platform/bus/outbox.js';
import type { Viewer } from '../../../platform/auth/viewer.js';
import type { KycPhoneSettings } from '../../../platform/config/config.js';
import { badInput, DomainError, ErrorCode, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { Redis } from '../../../platform/redis.js';
import { OtpRefusedError, type OtpSender } from '../../../providers/sms/index.js';
import { KycEvents, type PhoneVerifiedPayload } from '../submission/submission.events.js';
import { asciiDigits } from '../validation/digits.js';
import { normalizeIranianMobile } from '../validation/phone.js';
import { sameCodeHash, takeCodeSendAllowance } from '../../../platform/otp/code-sending.js';
import { VerificationCode, VerifiedPhone } from './phone.entity.js';

const SOURCE = 'kyc';

export interface CodeSent {
  phone: string;
  expiresAt: Date;
  resendAfterSeconds: number;
}

const err = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError(code, message, details);

/**
 * Phone verification. A 6-digit code goes to an Iranian mobile through the OTP provider; only its HMAC is stored,
 * valid `codeTtlSeconds`, dead after `maxAttempts` wrong guesses (PHONE_LOCKED). Codes are rate limited in Redis:
 * one per number per `resendSeconds`, and per number and per user per hour. A number verified by one user cannot
 * be claimed by another (PHONE_TAKEN; the primary key settles races). Codes are never logged or returned.
 */
export class PhoneService {
  constructor(
    private readonly sender: OtpSender,
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly settings: KycPhoneSettings,
    private readonly log: Logger,
  ) {}

  private phoneOf(raw: string): string {
    const phone = normalizeIranianMobile(raw);
    if (!phone)
      throw badInput('phone is not an Iranian mobile number (09XXXXXXXXX or +989XXXXXXXXX)', { field: 'phone' });
    return phone;
  }

  async sendCode(em: EntityManager, viewer: Viewer, raw: string): Promise<CodeSent> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const phone = this.phoneOf(raw);
    const owner = await em.findOne(VerifiedPhone, { phone });
    if (owner && owner.userId !== userId)
      throw err(ErrorCode.PHONE_TAKEN, 'This number is verified by another account');
    if (owner) throw err(ErrorCode.CONFLICT, 'This number is already verified', { reason: 'PHONE_VERIFIED' });
    await takeCodeSendAllowance(this.redis, `${this.keyPrefix}kyc:otp:`, this.settings, userId, phone);

    const row = em.create(VerificationCode, {
      userId,
      phone,
      codeHash: '',
      expiresAt: new Date(Date.now() + this.settings.codeTtlSeconds * 1000),
    });
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    row.codeHash = hashCode(row.id, userId, phone, code);
    try {
      await this.sender.sendCode({ phone, code });
    } catch (error) {
      // The error may echo the request: log its kind only.
      this.log.warn({ userId, codeId: row.id, error: (error as Error).name }, 'phone code not sent');
      em.clear();
      // Nothing reached the phone: the user may ask again at once (the hourly counts still apply).
      await this.redis.del(`${this.keyPrefix}kyc:otp:cooldown:${phone}`);
      // A refused recipient is the user's number; any other refusal is the operator's setup (key, template, credit).
      if (error instanceof OtpRefusedError && error.reason === 'RECIPIENT')
        throw badInput('The SMS provider refused this number', { field: 'phone' });
      throw err(ErrorCode.SERVICE_UNAVAILABLE, 'The SMS provider is not answering; try again shortly');
    }
    await em.transactional(async (tx) => {
      // A new code replaces any earlier one for this number.
      await tx.nativeUpdate(
        VerificationCode,
        { userId, phone, consumedAt: null, id: { $ne: row.id } },
        { consumedAt: new Date() },
      );
      tx.persist(row);
    });
    this.log.info({ userId, codeId: row.id }, 'phone code sent');
    return { phone, expiresAt: row.expiresAt, resendAfterSeconds: this.settings.resendSeconds };
  }

  async verifyCode(em: EntityManager, viewer: Viewer, raw: string, rawCode: string): Promise<VerifiedPhone> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const phone = this.phoneOf(raw);
    const code = asciiDigits(rawCode.trim());
    if (!/^\d{6}$/.test(code)) throw badInput('code: the 6 digits sent by SMS', { field: 'code' });

    // The outcome is committed first (a wrong guess must count), then reported.
    let failure: DomainError | null = null;
    const verified = await em
      .transactional(async (tx) => {
        const row = await tx.findOne(
          VerificationCode,
          { userId, phone, consumedAt: null },
          { orderBy: { createdAt: 'desc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (!row) {
          failure = err(ErrorCode.PHONE_CODE_EXPIRED, 'No code is waiting for this number: ask for one');
          return null;
        }
        if (row.lockedAt) {
          failure = err(ErrorCode.PHONE_LOCKED, 'Too many wrong codes: ask for a new one', {
            retryAfterSeconds: await this.cooldownLeft(phone),
          });
          return null;
        }
        if (row.expiresAt.getTime() <= Date.now()) {
          row.consumedAt = new Date();
          failure = err(ErrorCode.PHONE_CODE_EXPIRED, 'The code has expired: ask for a new one');
          return null;
        }
        if (!sameCodeHash(row.codeHash, hashCode(row.id, userId, phone, code))) {
          row.attempts += 1;
          const left = this.settings.maxAttempts - row.attempts;
          if (left <= 0) {
            row.lockedAt = new Date();
            failure = err(ErrorCode.PHONE_LOCKED, 'Too many wrong codes: ask for a new one', {
              retryAfterSeconds: await this.cooldownLeft(phone),
            });
          } else failure = err(ErrorCode.PHONE_CODE_INVALID, 'The code is wrong', { attemptsLeft: left });
          return null;
        }
        row.consumedAt = new Date();
        const taken = await tx.findOne(VerifiedPhone, { phone });
        if (taken && taken.userId !== userId) {
          failure = err(ErrorCode.PHONE_TAKEN, 'This number is verified by another account');
          return null;
        }
        // One number per user: verifying a new one replaces the old.
        await tx.nativeDelete(VerifiedPhone, { userId, phone: { $ne: phone } });
        const record = taken ?? tx.create(VerifiedPhone, { phone, userId });
        if (!taken) recordEvent<PhoneVerifiedPayload>(tx, KycEvents.phoneVerified, SOURCE, { userId, phone });
        return record;
      })
      .catch(async (error: unknown) => {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        // Either another account won the race for this number, or this user verified another number meanwhile.
        const holder = await em.fork().findOne(VerifiedPhone, { phone });
        if (holder && holder.userId !== userId)
          throw err(ErrorCode.PHONE_TAKEN, 'This number is verified by another account');
        throw err(ErrorCode.CONFLICT, 'Another verification of yours finished first: ask for a new code', {
          reason: 'CONCURRENT_VERIFICATION',
        });
      });
    if (failure) {
      this.log.info({ userId, outcome: (failure as DomainError).code }, 'phone code refused');
      throw failure;
    }
    this.log.info({ userId }, 'phone verified');
    return verified!;
  }

  private async cooldownLeft(phone: string): Promise<number> {
    return Math.max(0, await this.redis.ttl(`${this.keyPrefix}kyc:otp:cooldown:${phone}`));
  }
}

/** HMAC-SHA256 keyed by the code's own row id over user, number and code: never the code itself. */
function hashCode(id: string, userId: string, phone: string, code: string): string {
  return createHmac('sha256', id).update(`${userId}|${phone}|${code}`).digest('base64url');
}
