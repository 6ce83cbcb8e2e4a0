import type { AppHomeQuery, DisplayCurrency } from '../../sdk/index.js';
import { add, multiply, parseDecimal, toFixed, ZERO, type Decimal } from './decimal.js';

export type HomeBalance = AppHomeQuery['me']['balances'][number];
/** Price values by `<coin>:<quote>` (USDT:USD → "1.0002"). */
export type Prices = Map<string, string>;

export function priceKey(coin: string, quote: string): string {
  return `${coin}:${quote}`;
}

export function pricesOf(home: AppHomeQuery): Prices {
  const prices: Prices = new Map();
  for (const p of [...home.usd, ...home.irt]) if (p) prices.set(priceKey(p.coin, p.quote), p.value);
  return prices;
}

const DISPLAY_DIGITS: Record<DisplayCurrency, number> = { USD: 2, IRT: 0 };

function divide(a: Decimal, b: Decimal, scale: number): Decimal {
  // a / b with `scale` fraction digits: (a.units · 10^(scale + b.scale − a.scale)) / b.units
  const shift = scale + b.scale - a.scale;
  const numerator = shift >= 0 ? a.units * 10n ** BigInt(shift) : a.units / 10n ** BigInt(-shift);
  return { units: numerator / b.units, scale };
}

/**
 * What a balance is worth in the display currency, exactly (amount × price), or null without a fresh price.
 * Toman is its own price in IRT, and converted through USDT's Toman price into dollars.
 */
export function valueOf(amount: string, coin: string, currency: DisplayCurrency, prices: Prices): Decimal | null {
  const quantity = parseDecimal(amount);
  if (coin === currency) return quantity;
  if (coin === 'IRT' && currency === 'USD') {
    const usdt = prices.get(priceKey('USDT', 'IRT'));
    if (!usdt || parseDecimal(usdt).units === 0n) return null;
    return divide(quantity, parseDecimal(usdt), 8);
  }
  const price = prices.get(priceKey(coin, currency));
  return price ? multiply(quantity, parseDecimal(price)) : null;
}

/** The sum of every balance (available + held) valued in the display currency; `complete` false when a price is missing. */
export function totalOf(
  balances: readonly HomeBalance[],
  currency: DisplayCurrency,
  prices: Prices,
): { total: string; complete: boolean } {
  let total = ZERO;
  let complete = true;
  for (const b of balances) {
    const amount = toFixed(add(parseDecimal(b.available), parseDecimal(b.held)), b.asset.decimals);
    if (parseDecimal(amount).units === 0n) continue;
    const value = valueOf(amount, b.asset.coin, currency, prices);
    if (value) total = add(total, value);
    else complete = false;
  }
  return { total: toFixed(total, DISPLAY_DIGITS[currency]), complete };
}

export function displayValue(value: Decimal, currency: DisplayCurrency): string {
  return toFixed(value, DISPLAY_DIGITS[currency]);
}
