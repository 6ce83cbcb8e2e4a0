import { asciiDigits } from './digits.js';

/**
 * An Iranian national ID (کد ملی) as its 10 ASCII digits, or null when the text is not a valid one. The last
 * digit is a check digit: with s = Σ digit[i] × (10 − i) over the first nine and r = s mod 11, it equals r when
 * r < 2 and 11 − r otherwise. Ten equal digits pass that sum but are never issued, so they are refused.
 */
export function normalizeNationalId(text: string): string | null {
  const digits = asciiDigits(text.trim()).replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(digits) || /^(\d)\1{9}$/.test(digits)) return null;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const r = sum % 11;
  const check = Number(digits[9]);
  return (r < 2 ? check === r : check === 11 - r) ? digits : null;
}
