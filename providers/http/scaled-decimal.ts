import { JsonNumber } from './json-lossless.parser.js';
import { parseDecimal, type DecimalLimits, type ScaledDecimal } from '../../platform/money/scaled-decimal.js';

/** Exact decimals live in platform/money (prices are valued there too); providers keep importing them from here. */
export * from '../../platform/money/scaled-decimal.js';

/** A decimal from a lossless JSON number or a JSON string holding a number (Nobitex sends prices as strings). */
export function decimalFromJson(value: JsonNumber | string, limits?: DecimalLimits): ScaledDecimal {
  return parseDecimal(value instanceof JsonNumber ? value.source : value, limits);
}
