import { describe, expect, it } from 'vitest';
import { convert, parseRate, rateCurrencyOf } from './pricing.js';

describe('voucher pricing', () => {
  it('a HOT voucher of 250,000 Toman at 1.02 Toman per Toman costs 255,000 Toman', () => {
    expect(convert({ currency: 'IRT', minor: 250_000n }, '1.02', 'IRT', 'up')).toBe(255_000n);
  });

  it('a 12.34 USD UUSD voucher at 1.05 costs 12.957 USDT (6 decimals; 18 on BSC)', () => {
    expect(convert({ currency: 'USD', minor: 1_234n }, '1.05', 'USDT_TRON', 'up')).toBe(12_957_000n);
    expect(convert({ currency: 'USD', minor: 1_234n }, '1.05', 'USDT_BSC', 'up')).toBe(12_957_000_000_000_000_000n);
  });

  it('rounds a payment up and a credit down, by less than one minor unit', () => {
    expect(convert({ currency: 'USD', minor: 1n }, '0.333', 'IRT', 'up')).toBe(1n);
    expect(convert({ currency: 'USD', minor: 1n }, '0.333', 'IRT', 'down')).toBe(0n);
    expect(convert({ currency: 'USD', minor: 100n }, '61234.5', 'IRT', 'down')).toBe(61_234n);
  });

  it('refuses malformed rates and assets other than IRT and USDT', () => {
    expect(() => parseRate('1e3')).toThrow();
    expect(() => parseRate('0.000')).toThrow();
    expect(rateCurrencyOf('USDT_TON')).toBe('USD');
    expect(rateCurrencyOf('IRT')).toBe('IRT');
    expect(() => rateCurrencyOf('TON')).toThrow(/IRT or USDT/);
  });
});
