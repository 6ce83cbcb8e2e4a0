import { createHmac, randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { badInput, DomainError, ErrorCode, notFound } from '../../../platform/errors.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { sameCodeHash, takeCodeSendAllowance, type CodeSendLimits } from '../../../platform/otp/code-sending.js';
import type { Redis } from '../../../platform/redis.js';
import { OtpRefusedError, type OtpSender } from '../../../providers/sms/index.js';
import type { VerifiedPhones } from '../phone/verified-phone.js';
import {
  ADDRESS_COLUMNS,
  addressOf,
  requireUser,
  type AddressRow,
  type WithdrawalAddressRecord,
} from './withdrawal.service.js';

export interface AddressCodeSettings extends CodeSendLimits {
  /** A code is valid this long. */
  codeTtlSeconds: number;
  /** The n-th wrong guess locks the code. */
  maxAttempts: number;
}

interface CodeRow {
  id: string;
  code_hash: string;
  expires_at: Date | string;
  attempts: number;
  locked_at: Date | string | null;
}

const err = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError(code, message, details);

/**
 * Phone-code confirmation of withdrawal addresses. A user whose verified phone the wallet knows (from kyc) gets a
 * 6-digit code by SMS when they add an address; `confirm` with it makes the address usable at once (no cool-off).
 * Only the code's HMAC is stored (keyed by its row id), compared in constant time; valid `codeTtlSeconds`; the
 * `maxAttempts`-th wrong guess locks it; sends are limited like kyc's (platform/otp). Codes and numbers are never
 * logged or returned. Without a verified phone nothing is sent and the cool-off applies.
 */
export class AddressConfirmations {
  constructor(
    private readonly phones: VerifiedPhones,
    private readonly sender: OtpSender,
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly settings: AddressCodeSettings,
    private readonly log: Logger,
  ) {}

  private get namespace(): string {
    return `${this.keyPrefix}wallet:address-otp:`;
  }

  /**
   * After `addWithdrawalAddress`: sends a code for an unconfirmed address of a user with a verified phone (again when
   * asked again, within the send limits); otherwise returns the address as it is.
   */
  async offerCode(
    em: EntityManager,
    userId: string,
    address: WithdrawalAddressRecord,
  ): Promise<WithdrawalAddressRecord> {
    if (address.confirmedAt || address.usableAt.getTime() <= Date.now()) return address;
    const phone = await this.phones.phoneOf(em, userId);
    if (!phone) return address;
    await takeCodeSendAllowance(this.redis, this.namespace, this.settings, userId, phone);
    const id = newId('wac');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    try {
      await this.sender.sendCode({ phone, code });
    } catch (error) {
      // The error may echo the request: log its kind only.
      this.log.warn({ userId, addressId: address.id, error: (error as Error).name }, 'address code not sent');
      // Nothing reached the phone: the user may ask again at once (the hourly counts still apply).
      await this.redis.del(`${this.namespace}cooldown:${phone}`);
      if (error instanceof OtpRefusedError && error.reason === 'RECIPIENT')
        throw badInput('The SMS provider refused your verified number; the address stays in its cooling-off period', {
          field: 'address',
        });
      throw err(
        ErrorCode.SERVICE_UNAVAILABLE,
        'The SMS provider is not answering; the address stays in its cooling-off period, or ask for a code again',
      );
    }
    await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      // A new code replaces any earlier one for this address.
      await conn.execute(
        'update wallet.address_code set consumed_at = now() where address_id = ? and consumed_at is null',
        [address.id],
        'run',
        ctx,
      );
      await conn.execute(
        `insert into wallet.address_code (id, address_id, user_id, code_hash, expires_at)
         values (?, ?, ?, ?, now() + make_interval(secs => ?))`,
        [id, address.id, userId, hashCode(id, userId, address.id, code), this.settings.codeTtlSeconds],
        'run',
        ctx,
      );
    });
    this.log.info({ userId, addressId: address.id, codeId: id }, 'address code sent');
    return { ...address, pendingCode: true };
  }

  /** The code sent for the viewer's address: right → confirmed and usable now; each wrong guess is committed first. */
  async confirm(
    em: EntityManager,
    viewer: Viewer,
    addressId: string,
    rawCode: string,
  ): Promise<WithdrawalAddressRecord> {
    const userId = requireUser(viewer);
    const code = rawCode.trim().replace(/[۰-۹]/gu, (d) => String(d.charCodeAt(0) - 0x06f0));
    if (!/^\d{6}$/.test(code)) throw badInput('code: the 6 digits sent by SMS', { field: 'code' });
    let failure: DomainError | null = null;
    const confirmed = await em.fork().transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      const [address] = await conn.execute<AddressRow[]>(
        `select ${ADDRESS_COLUMNS} from wallet.withdrawal_address a where id = ? and user_id = ? for update`,
        [addressId, userId],
        'all',
        ctx,
      );
      if (!address) throw notFound('WithdrawalAddress', addressId);
      if (address.confirmed_at) return addressOf(address);
      const [row] = await conn.execute<CodeRow[]>(
        `select id, code_hash, expires_at, attempts, locked_at from wallet.address_code
         where address_id = ? and consumed_at is null order by created_at desc limit 1 for update`,
        [addressId],
        'all',
        ctx,
      );
      if (!row) {
        failure = err(ErrorCode.PHONE_CODE_EXPIRED, 'No code is waiting for this address: add it again for a new one');
        return null;
      }
      if (row.locked_at) {
        failure = err(ErrorCode.PHONE_LOCKED, 'Too many wrong codes: add the address again for a new one');
        return null;
      }
      if (new Date(row.expires_at).getTime() <= Date.now()) {
        await conn.execute('update wallet.address_code set consumed_at = now() where id = ?', [row.id], 'run', ctx);
        failure = err(ErrorCode.PHONE_CODE_EXPIRED, 'The code has expired: add the address again for a new one');
        return null;
      }
      if (!sameCodeHash(row.code_hash, hashCode(row.id, userId, addressId, code))) {
        const attempts = row.attempts + 1;
        const left = this.settings.maxAttempts - attempts;
        await conn.execute(
          `update wallet.address_code set attempts = ?, locked_at = case when ? then now() else null end where id = ?`,
          [attempts, left <= 0, row.id],
          'run',
          ctx,
        );
        failure =
          left <= 0
            ? err(ErrorCode.PHONE_LOCKED, 'Too many wrong codes: add the address again for a new one')
            : err(ErrorCode.PHONE_CODE_INVALID, 'The code is wrong', { attemptsLeft: left });
        return null;
      }
      await conn.execute('update wallet.address_code set consumed_at = now() where id = ?', [row.id], 'run', ctx);
      const [updated] = await conn.execute<AddressRow[]>(
        `update wallet.withdrawal_address a set confirmed_at = now(), usable_at = least(usable_at, now())
         where id = ? returning ${ADDRESS_COLUMNS}`,
        [addressId],
        'all',
        ctx,
      );
      return addressOf(updated!);
    });
    if (failure) {
      this.log.info({ userId, addressId, outcome: (failure as DomainError).code }, 'address code refused');
      throw failure;
    }
    this.log.info({ userId, addressId }, 'withdrawal address confirmed');
    return confirmed!;
  }
}

/** HMAC-SHA256 keyed by the code's own row id over user, address and code: never the code itself. */
function hashCode(id: string, userId: string, addressId: string, code: string): string {
  return createHmac('sha256', id).update(`${userId}|${addressId}|${code}`).digest('base64url');
}
