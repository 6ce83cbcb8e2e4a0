import { assetInfo } from '../../../platform/money/assets.js';
import { badInput } from '../../../platform/errors.js';
import {
  VOUCHER_CURRENCY_DECIMALS,
  type VoucherCurrency,
  type VoucherType,
} from '../../../providers/vouchers/index.js';

/** The currency each voucher type is denominated in (its face value), as the providers state it. */
export const FACE_CURRENCY: Record<VoucherType, VoucherCurrency> = {
  HOT: 'IRT',
  PS: 'USD',
  UTOPIA_UUSD: 'USD',
  UTOPIA_CRP: 'CRP',
  PERFECT_MONEY: 'USD',
};

export type RateCurrency = 'IRT' | 'USD';

/**
 * Which rate prices a payment asset: Toman (IRT) by the Toman rate, any USDT by the USD rate (1 USDT = 1 USD by
 * policy). Other catalogue assets are refused: pricing them through the market would add a second, moving price
 * to a trade the staff priced by hand (decided; see the README).
 */
export function rateCurrencyOf(asset: string): RateCurrency {
  const info = assetInfo(asset);
  if (!info) throw badInput(`unknown asset ${asset}`, { field: 'payWith' });
  if (info.coin === 'IRT') return 'IRT';
  if (info.coin === 'USDT') return 'USD';
  throw badInput(`vouchers are paid and credited in IRT or USDT, not ${asset}`, {
    field: 'payWith',
    reason: 'ASSET_NOT_ACCEPTED',
  });
}

const RATE = /^(\d{1,30})(?:\.(\d{1,18}))?$/;

/** A rate's decimal text → value × 10^-scale; BAD_USER_INPUT when malformed or zero. */
export function parseRate(text: string): { value: bigint; scale: number } {
  const m = RATE.exec(text);
  if (!m) throw badInput('a rate is a positive decimal (at most 18 decimals)', { field: 'price' });
  const fraction = m[2] ?? '';
  const value = BigInt(m[1]! + fraction);
  if (value === 0n) throw badInput('a rate is a positive decimal', { field: 'price' });
  return { value, scale: fraction.length };
}

/**
 * What `face` (minor units of the voucher's currency) costs or is worth in `asset` minor units at `price` (units
 * of the rate currency per one unit of the face currency). Exact integer arithmetic; the platform never rounds in
 * its own favour by more than one minor unit and never against itself: a user **pays** rounded up, is **credited**
 * rounded down.
 */
export function convert(
  face: { currency: VoucherCurrency; minor: bigint },
  price: string,
  asset: string,
  rounding: 'up' | 'down',
): bigint {
  const info = assetInfo(asset);
  if (!info) throw badInput(`unknown asset ${asset}`);
  const { value, scale } = parseRate(price);
  const numerator = face.minor * value * 10n ** BigInt(info.decimals);
  const denominator = 10n ** BigInt(scale + VOUCHER_CURRENCY_DECIMALS[face.currency]);
  const quotient = numerator / denominator;
  return rounding === 'up' && quotient * denominator !== numerator ? quotient + 1n : quotient;
}
