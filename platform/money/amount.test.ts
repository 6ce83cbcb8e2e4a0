import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { formatAmount, parseAmount, parsePositiveAmount } from './amount.js';

describe('amounts', () => {
  it('parses decimal strings into exact minor units', () => {
    expect(parseAmount('12.5', 6)).toBe(12_500_000n);
    expect(parseAmount('0.000000000000000001', 18)).toBe(1n);
    expect(parseAmount('115792089237316195423570985008687907853269984665640564039457', 18)).toBe(
      115792089237316195423570985008687907853269984665640564039457n * 10n ** 18n,
    );
    expect(parseAmount('7', 0)).toBe(7n);
  });

  it('refuses excess decimals, signs, exponents, blanks and zero where positive is required', () => {
    for (const bad of ['1.1234567', '-1', '+1', '1e3', '', ' ', '.5', '5.', '01', 'NaN', '0x10', '1,5']) {
      expect(() => parseAmount(bad, 6), bad).toThrow(DomainError);
    }
    expect(() => parsePositiveAmount('0', 6)).toThrow(/greater than zero/);
    expect(() => parsePositiveAmount('0.000', 6)).toThrow(/greater than zero/);
  });

  it('round-trips every amount exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 0, max: 18 }), (minor, decimals) => {
        expect(parseAmount(formatAmount(minor, decimals), decimals)).toBe(minor);
      }),
    );
    expect(formatAmount(-1_500_000n, 6)).toBe('-1.5');
  });
});
