import { describe, expect, it } from 'vitest';
import { formatAmount, langOf, localDigits } from './replies.js';

describe('bot replies', () => {
  it('formats an exact decimal amount: trailing zeros trimmed, thousands grouped, never through a float', () => {
    expect(formatAmount('1234.500000', 'en')).toBe('1,234.5');
    expect(formatAmount('0.000000000000000001', 'en')).toBe('0.000000000000000001');
    expect(formatAmount('123456789012345678901234.10', 'en')).toBe('123,456,789,012,345,678,901,234.1');
    expect(formatAmount('0', 'en')).toBe('0');
    expect(formatAmount('-12.50', 'en')).toBe('-12.5');
  });

  it('writes Persian digits and separators in fa', () => {
    expect(formatAmount('1234.5', 'fa')).toBe('۱٬۲۳۴٫۵');
    expect(localDigits('2026-12-07', 'fa')).toBe('۲۰۲۶-۱۲-۰۷');
    expect(localDigits('2026-12-07', 'en')).toBe('2026-12-07');
  });

  it('answers in the account language, English unless it is FA', () => {
    expect(langOf('FA')).toBe('fa');
    expect(langOf('EN')).toBe('en');
    expect(langOf(null)).toBe('en');
  });
});
