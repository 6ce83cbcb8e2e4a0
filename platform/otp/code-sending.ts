import { timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCode } from '../errors.js';
import type { Redis } from '../redis.js';

/** How often SMS codes may be sent: a cool-down per number, then hourly counts per number and per user. */
export interface CodeSendLimits {
  resendSeconds: number;
  sendsPerPhonePerHour: number;
  sendsPerUserPerHour: number;
}

function rateLimited(message: string, details: Record<string, unknown>): DomainError {
  return new DomainError(ErrorCode.RATE_LIMITED, message, details);
}

/**
 * Whether another SMS code may go to `phone` for `userId` now: a cool-down per number, then hourly counts per
 * number and per user (fixed windows in Redis). `namespace` keeps each kind of code (kyc's phone verification and
 * account recovery, the wallet's withdrawal-address confirmation) on its own counters. Throws RATE_LIMITED with `retryAfterSeconds` and the `scope` that refused.
 */
export async function takeCodeSendAllowance(
  redis: Redis,
  namespace: string,
  settings: CodeSendLimits,
  userId: string,
  phone: string,
): Promise<void> {
  const cooldown = `${namespace}cooldown:${phone}`;
  const set = await redis.set(cooldown, '1', 'EX', settings.resendSeconds, 'NX');
  if (set !== 'OK') {
    const ttl = await redis.ttl(cooldown);
    throw rateLimited('A code was just sent to this number; wait before asking again', {
      retryAfterSeconds: Math.max(1, ttl),
      scope: 'PHONE_COOLDOWN',
    });
  }
  const hour = Math.floor(Date.now() / 3_600_000);
  const retryAfterSeconds = Math.max(1, Math.ceil(((hour + 1) * 3_600_000 - Date.now()) / 1000));
  const phoneKey = `${namespace}phone:${phone}:${hour}`;
  const userKey = `${namespace}user:${userId}:${hour}`;
  const results =
    (await redis.pipeline().incr(phoneKey).expire(phoneKey, 3601).incr(userKey).expire(userKey, 3601).exec()) ?? [];
  if (Number(results[2]?.[1]) > settings.sendsPerUserPerHour)
    throw rateLimited('Too many codes asked for this hour', { retryAfterSeconds, scope: 'USER' });
  if (Number(results[0]?.[1]) > settings.sendsPerPhonePerHour)
    throw rateLimited('Too many codes sent to this number this hour', { retryAfterSeconds, scope: 'PHONE' });
}

/** Compares two code hashes in constant time. */
export function sameCodeHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
