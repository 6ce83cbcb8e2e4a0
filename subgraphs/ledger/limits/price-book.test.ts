import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../platform/errors.js';
import { parseDecimal } from '../../../providers/http/scaled-decimal.js';
import { PriceBook } from './price-book.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);

/** A book with prices in memory (record() also writes the table; these tests only value). */
function book(prices: [string, string, string, Date][]): PriceBook {
  const b = new PriceBook(60_000, () => NOW);
  for (const [coin, quote, value, at] of prices)
    b.remember(coin, quote, { value: parseDecimal(value), observedAt: at });
  return b;
}

function code(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof DomainError ? err.code : 'OTHER';
  }
}

describe('PriceBook.value', () => {
  it('values exactly in the reference minor unit, rounding up', () => {
    const b = book([
      ['TON', 'USD', '5.4321', ago(10)],
      ['USDT', 'USD', '0.9998', ago(10)],
      ['ETH', 'IRT', '250000000', ago(10)],
    ]);
    // 1.5 TON × 5.4321 = 8.14815 USD → 815 cents (rounded up)
    expect(b.value('TON', 1_500_000_000n, 'USD', 2)).toBe(815n);
    // USDT on BSC has 18 decimals and is priced as USDT: 100 × 0.9998 = 99.98
    expect(b.value('USDT_BSC', 100n * 10n ** 18n, 'USD', 2)).toBe(9998n);
    // one wei of ETH in Toman is worth a fraction: never valued at zero
    expect(b.value('ETH', 1n, 'IRT', 0)).toBe(1n);
    expect(b.value('ETH', 2n * 10n ** 18n, 'IRT', 0)).toBe(500_000_000n);
    // Toman in Toman needs no price
    expect(b.value('IRT', 12_345n, 'IRT', 0)).toBe(12_345n);
  });

  it('values Toman in USD through USDT/IRT and USDT/USD', () => {
    const b = book([
      ['USDT', 'IRT', '100000', ago(1)],
      ['USDT', 'USD', '1', ago(1)],
    ]);
    expect(b.value('IRT', 2_500_000n, 'USD', 2)).toBe(2_500n); // 25 USD
    expect(b.value('IRT', 1n, 'USD', 2)).toBe(1n); // a fraction of a cent counts as one
  });

  it('refuses (PRICE_UNAVAILABLE) without a price, or with one older than the allowed age', () => {
    const b = book([
      ['TON', 'USD', '5', ago(61)],
      ['USDT', 'IRT', '100000', ago(1)],
    ]);
    expect(code(() => b.value('TON', 1n, 'USD', 2))).toBe('PRICE_UNAVAILABLE');
    expect(code(() => b.value('ETH', 1n, 'USD', 2))).toBe('PRICE_UNAVAILABLE');
    expect(code(() => b.value('IRT', 1n, 'USD', 2))).toBe('PRICE_UNAVAILABLE'); // USDT/USD missing
    expect(b.fresh('USDT', 'IRT')?.value).toEqual(parseDecimal('100000'));
  });

  it('keeps the newest observation of a pair', () => {
    const b = book([
      ['TON', 'USD', '6', ago(5)],
      ['TON', 'USD', '5', ago(30)],
    ]);
    expect(b.value('TON', 10n ** 9n, 'USD', 2)).toBe(600n);
  });
});
