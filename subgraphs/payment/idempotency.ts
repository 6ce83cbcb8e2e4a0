import { createHash } from 'node:crypto';
import { badInput, conflict } from '../../platform/errors.js';

const KEY = /^[\x21-\x7e]{1,128}$/;

export function checkIdempotencyKey(key: string): string {
  if (!KEY.test(key)) throw badInput('idempotencyKey: 1–128 printable characters', { field: 'idempotencyKey' });
  return key;
}

/** sha256 (hex) of the request's canonical fields: same key + other input → CONFLICT. */
export function requestHash(fields: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k]]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export function replayOrConflict<T extends { requestHash: string }>(existing: T, hash: string): T {
  if (existing.requestHash !== hash)
    throw conflict('This idempotencyKey was used with a different request', { reason: 'IDEMPOTENCY_KEY_REUSED' });
  return existing;
}

/** A positive whole number of Toman within [min, max], from its decimal string. */
export function parseToman(text: string, min: bigint, max: bigint | null, field = 'amountToman'): bigint {
  if (!/^[0-9]{1,20}$/.test(text.trim())) throw badInput(`${field}: a whole number of Toman`, { field });
  const amount = BigInt(text.trim());
  if (amount < min) throw badInput(`${field}: at least ${min} Toman`, { field, min: min.toString() });
  if (max !== null && amount > max) throw badInput(`${field}: at most ${max} Toman`, { field, max: max.toString() });
  return amount;
}
