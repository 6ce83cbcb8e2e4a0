import { badInput } from '../../../platform/errors.js';
import { parsePositiveAmount } from '../../../platform/money/amount.js';
import { assetInfo, type AssetInfo } from '../../../platform/money/assets.js';

/** Shared validation of money-mutation input; every failure is BAD_USER_INPUT with the field named. */

export function checkAsset(symbol: string, field = 'asset'): AssetInfo {
  const asset = assetInfo(symbol);
  if (!asset) throw badInput(`unknown asset "${symbol}"`, { field });
  return asset;
}

/** A positive amount in the asset's unit ("12.5") → minor units; more decimals than the asset has is refused. */
export function checkAmount(text: string, asset: AssetInfo, field = 'amount'): bigint {
  return parsePositiveAmount(text, asset.decimals, field);
}

/** A non-zero signed amount ("-3.5" or "3.5") → minor units. */
export function checkSignedAmount(text: string, asset: AssetInfo, field = 'amount'): bigint {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const minor = parsePositiveAmount(negative ? trimmed.slice(1) : trimmed, asset.decimals, field);
  return negative ? -minor : minor;
}

/** Printable ASCII, 1–128 characters (a UUID, a ULID, a client-chosen string). */
export function checkIdempotencyKey(key: string | null | undefined): string {
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(key)) {
    throw badInput('idempotencyKey is required: 1 to 128 printable characters, e.g. a UUID', {
      field: 'idempotencyKey',
    });
  }
  return key;
}

/** Free text (note, reason): trimmed, without control characters, at most `max` characters. */
export function checkText(
  text: string | null | undefined,
  field: string,
  options: { max: number; required?: boolean },
): string | null {
  const value = text?.trim() ?? '';
  if (!value) {
    if (options.required) throw badInput(`${field} is required`, { field });
    return null;
  }
  if (value.length > options.max) throw badInput(`${field} is longer than ${options.max} characters`, { field });
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) throw badInput(`${field} contains control characters`, { field });
  return value;
}
