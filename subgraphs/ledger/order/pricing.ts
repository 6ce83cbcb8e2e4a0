import { badInput } from '../../../platform/errors.js';

/** A positive rational number, exact. */
export interface Ratio {
  num: bigint;
  den: bigint;
}

export const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** Everything a quote's amounts follow from, in minor units. */
export interface QuoteTerms {
  /** Minor units of the received asset per minor unit of the paid asset, at the market's mid price. */
  rate: Ratio;
  /** The platform's spread, taken off the rate (basis points, < 10,000). */
  spreadBps: number;
  /** Fee in the received asset: fixed part (minor units) plus basis points of the gross amount, rounded up. */
  feeFixed: bigint;
  feeBps: number;
}

export interface QuoteAmounts {
  /** What leaves the user's balance (paid asset). */
  pay: bigint;
  /** What the exchange pays out: `receive + fee` (received asset). */
  gross: bigint;
  fee: bigint;
  /** What reaches the user's balance (received asset). */
  receive: bigint;
}

/** The rate after the spread: what one minor unit of the paid asset buys, gross of the fee. */
export function effectiveRate(t: QuoteTerms): Ratio {
  return { num: t.rate.num * BigInt(10_000 - t.spreadBps), den: t.rate.den * 10_000n };
}

/**
 * The amounts of a quote. SPEND: the user pays exactly `amount`; the gross they buy is rounded down to the
 * received asset's minor unit, the fee (fixed + bps of the gross) up. RECEIVE: the user receives exactly
 * `amount`; the smallest gross that leaves it after the fee, and the smallest payment that buys that gross
 * (rounded up to the paid asset's minor unit). Every rounding favours the platform by less than one minor unit
 * of the amount being rounded; nothing is created: the fill moves `pay` in and `receive` + `fee` out.
 */
export function quoteAmounts(t: QuoteTerms, side: 'SPEND' | 'RECEIVE', amount: bigint): QuoteAmounts {
  if (amount <= 0n) throw badInput('amount must be greater than zero', { field: 'amount' });
  const eff = effectiveRate(t);
  const bps = BigInt(t.feeBps);
  if (side === 'SPEND') {
    const gross = (amount * eff.num) / eff.den;
    const fee = t.feeFixed + ceilDiv(gross * bps, 10_000n);
    const receive = gross - fee;
    if (receive <= 0n)
      throw badInput('amount is too small: after the fee nothing would be received', { field: 'amount' });
    return { pay: amount, gross: receive + fee, fee, receive };
  }
  // smallest gross G with G - fixed - ceil(G·bps/10⁴) >= amount, i.e. G·(10⁴ − bps) >= (amount + fixed)·10⁴
  const gross = ceilDiv((amount + t.feeFixed) * 10_000n, 10_000n - bps);
  const fee = gross - amount;
  // smallest payment P with floor(P·eff) >= gross
  const pay = ceilDiv(gross * eff.den, eff.num);
  return { pay, gross, fee, receive: amount };
}

/** `num/den` as a decimal string with at most `scale` digits after the point, rounded down. */
export function ratioText(r: Ratio, scale: number): string {
  const scaled = (r.num * 10n ** BigInt(scale)) / r.den;
  const s = scaled.toString().padStart(scale + 1, '0');
  const whole = s.slice(0, s.length - scale);
  const fraction = s.slice(s.length - scale).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}
