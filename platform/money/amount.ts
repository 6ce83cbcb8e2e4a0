import { badInput } from '../errors.js';

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

/**
 * Parses a decimal string in an asset's major unit ("12.5") into integer minor units (12_500_000n for 6
 * decimals). Exact: no floats. Refuses more fractional digits than the asset has, signs, exponents and blanks.
 */
export function parseAmount(text: string, decimals: number, field = 'amount'): bigint {
  const trimmed = text.trim();
  const match = DECIMAL.exec(trimmed);
  if (!match) throw badInput(`${field} must be a positive decimal number like "12.5"`, { field });
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    throw badInput(`${field} has ${fraction.length} decimals; this asset allows ${decimals}`, { field, decimals });
  }
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** Like parseAmount but also refuses zero. */
export function parsePositiveAmount(text: string, decimals: number, field = 'amount'): bigint {
  const value = parseAmount(text, decimals, field);
  if (value <= 0n) throw badInput(`${field} must be greater than zero`, { field });
  return value;
}

/** Formats integer minor units as a decimal string in the major unit, trailing zeros trimmed. */
export function formatAmount(minor: bigint, decimals: number): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const fraction = decimals > 0 ? (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '') : '';
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
