/**
 * Exact decimal arithmetic on the API's `Amount` strings ("12.5") and price strings: BigInt with a scale, never a
 * float, so a total shown in Toman or dollars is the exact sum rounded once.
 */
export interface Decimal {
  units: bigint;
  scale: number;
}

export function parseDecimal(text: string): Decimal {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal: ${text}`);
  const fraction = match[3] ?? '';
  const units = BigInt(match[2]! + fraction);
  return { units: match[1] ? -units : units, scale: fraction.length };
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

function rescale(d: Decimal, scale: number): bigint {
  if (scale >= d.scale) return d.units * 10n ** BigInt(scale - d.scale);
  const divisor = 10n ** BigInt(d.scale - scale);
  // half away from zero
  const half = divisor / 2n;
  return d.units >= 0n ? (d.units + half) / divisor : (d.units - half) / divisor;
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

/** The decimal rounded to `digits` fraction digits, as a plain string ("1234.50"). */
export function toFixed(d: Decimal, digits: number): string {
  const units = rescale(d, digits);
  const negative = units < 0n;
  const text = (negative ? -units : units).toString().padStart(digits + 1, '0');
  const whole = digits ? text.slice(0, -digits) : text;
  const fraction = digits ? `.${text.slice(-digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export function isPositive(text: string): boolean {
  try {
    return parseDecimal(text).units > 0n;
  } catch {
    return false;
  }
}
