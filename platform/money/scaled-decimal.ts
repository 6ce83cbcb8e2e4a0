/**
 * An exact decimal: `value × 10^-scale`, with `scale ≥ 0`. `{ value: 1234n, scale: 8 }` is 0.00001234.
 * Used for prices and rates read from providers; never converted through a float.
 */
export interface ScaledDecimal {
  readonly value: bigint;
  readonly scale: number;
}

export class DecimalFormatError extends RangeError {
  override readonly name = 'DecimalFormatError';
}

/**
 * Limits of `parseDecimal`, so a hostile or broken body ("1e999999999") cannot allocate a gigantic bigint.
 * The defaults are far beyond any price: 1e-200 … 1e200.
 */
export interface DecimalLimits {
  /** Largest accepted scale (digits after the point) after applying the exponent. Default 200. */
  maxScale?: number;
  /** Largest accepted number of digits before the point after applying the exponent. Default 200. */
  maxIntegerDigits?: number;
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses decimal text exactly: optional sign, digits, optional fraction, optional exponent
 * (`"123"`, `"-0.00001234"`, `"1.2e-7"`, `"5E+3"`, `".5"`, `"5."`). Whitespace, thousands separators,
 * `NaN`/`Infinity` and hex are rejected. The scale is what the text states (trailing zeros kept:
 * `"1.50"` → `{ 150n, 2 }`); a positive exponent that goes past the point is multiplied out
 * (`"1.2e3"` → `{ 1200n, 0 }`). Throws `DecimalFormatError`.
 */
export function parseDecimal(text: string, limits: DecimalLimits = {}): ScaledDecimal {
  const { maxScale = 200, maxIntegerDigits = 200 } = limits;
  const m = DECIMAL.exec(text);
  const intDigits = m?.[2] ?? '';
  const fracDigits = m?.[3] ?? '';
  if (!m || (intDigits === '' && fracDigits === '')) {
    throw new DecimalFormatError(`not a decimal number: ${JSON.stringify(text.slice(0, 64))}`);
  }
  const exponentText = m[4];
  // Exponent digits beyond what any limit could accept are rejected before Number() loses them.
  if (exponentText !== undefined && exponentText.replace(/^[+-]?0*/, '').length > 6) {
    throw new DecimalFormatError(`exponent out of range: ${exponentText}`);
  }
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  let scale = fracDigits.length - exponent;
  let digits = (intDigits + fracDigits).replace(/^0+(?=\d)/, '');
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  if (scale > maxScale) throw new DecimalFormatError(`scale ${scale} exceeds ${maxScale}: ${text.slice(0, 64)}`);
  if (digits.length - scale > maxIntegerDigits) {
    throw new DecimalFormatError(`more than ${maxIntegerDigits} integer digits: ${text.slice(0, 64)}`);
  }
  const magnitude = BigInt(digits);
  return { value: m[1] === '-' ? -magnitude : magnitude, scale };
}

/** Plain decimal text, never exponent notation: `{ -1234n, 8 }` → `"-0.00001234"`, `{ 5n, 0 }` → `"5"`. */
export function formatDecimal(d: ScaledDecimal): string {
  const negative = d.value < 0n;
  const digits = (negative ? -d.value : d.value).toString();
  if (d.scale === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(d.scale + 1, '0');
  const point = padded.length - d.scale;
  return `${negative ? '-' : ''}${padded.slice(0, point)}.${padded.slice(point)}`;
}

/** Removes trailing fractional zeros: `{ 150n, 2 }` → `{ 15n, 1 }`; zero becomes `{ 0n, 0 }`. */
export function normalizeDecimal(d: ScaledDecimal): ScaledDecimal {
  let { value, scale } = d;
  if (value === 0n) return { value: 0n, scale: 0 };
  while (scale > 0 && value % 10n === 0n) {
    value /= 10n;
    scale -= 1;
  }
  return { value, scale };
}

/**
 * Exact division by 10^places (`places` ≥ 0): only the scale changes, so nothing is ever rounded.
 * Rial → Toman is `divideByPowerOfTen(rial, 1)`.
 */
export function divideByPowerOfTen(d: ScaledDecimal, places: number): ScaledDecimal {
  if (!Number.isInteger(places) || places < 0) throw new RangeError(`places must be a non-negative integer: ${places}`);
  return { value: d.value, scale: d.scale + places };
}

/** The same number at a larger scale (exact). Throws if `scale` is smaller than the current scale. */
export function widenScale(d: ScaledDecimal, scale: number): ScaledDecimal {
  if (!Number.isInteger(scale) || scale < d.scale) throw new RangeError(`cannot widen scale ${d.scale} to ${scale}`);
  return { value: d.value * 10n ** BigInt(scale - d.scale), scale };
}

/** -1, 0 or 1, comparing numerically (scales may differ). */
export function compareDecimal(a: ScaledDecimal, b: ScaledDecimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = widenScale(a, scale).value;
  const y = widenScale(b, scale).value;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Numeric equality regardless of scale: 1.50 equals 1.5. */
export function decimalEquals(a: ScaledDecimal, b: ScaledDecimal): boolean {
  return compareDecimal(a, b) === 0;
}

/**
 * Rounds to at most `scale` fractional digits, half to even (no bias when many prices are rounded).
 * A number that already has `scale` or fewer digits is returned unchanged.
 */
export function roundDecimal(d: ScaledDecimal, scale: number): ScaledDecimal {
  if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`scale must be a non-negative integer: ${scale}`);
  if (d.scale <= scale) return d;
  const divisor = 10n ** BigInt(d.scale - scale);
  const negative = d.value < 0n;
  const magnitude = negative ? -d.value : d.value;
  let quotient = magnitude / divisor;
  const twiceRemainder = (magnitude % divisor) * 2n;
  if (twiceRemainder > divisor || (twiceRemainder === divisor && quotient % 2n === 1n)) quotient += 1n;
  return { value: negative ? -quotient : quotient, scale };
}
