import { z } from 'zod';
import { ProviderParseError, snippet } from './http.errors.js';
import { JsonNumber } from './json-lossless.parser.js';
import { DecimalFormatError, decimalFromJson, type ScaledDecimal } from './scaled-decimal.js';

/**
 * zod building blocks for bodies parsed with `parse: 'lossless'`, where numbers are `JsonNumber`s.
 * They turn provider numbers (or numeric strings) into exact `ScaledDecimal`s and timestamps into Dates.
 */

export const zJsonNumber = z.instanceof(JsonNumber);

const toDecimal = (value: JsonNumber | string, ctx: z.RefinementCtx): ScaledDecimal => {
  try {
    return decimalFromJson(value);
  } catch (error) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: error instanceof DecimalFormatError ? error.message : 'not a decimal',
    });
    return z.NEVER;
  }
};

/** A JSON number, exact. */
export const zDecimalNumber = zJsonNumber.transform(toDecimal);
/** A JSON string holding a decimal ("750350000"), exact. */
export const zDecimalString = z.string().transform(toDecimal);
/** Either form. */
export const zDecimal = z.union([zJsonNumber, z.string()]).transform(toDecimal);

/** A JSON number that is a safe integer (ids, counts, timestamps). */
export const zSafeInteger = zJsonNumber.transform((value, ctx) => {
  const n = Number(value.source);
  if (!/^-?\d+$/.test(value.source) || !Number.isSafeInteger(n)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a safe integer: ${value.source}` });
    return z.NEVER;
  }
  return n;
});

/** Unix time in seconds (integer JSON number) → Date. */
export const zUnixSeconds = zSafeInteger.transform((seconds) => new Date(seconds * 1000));
/** Unix time in milliseconds (integer JSON number) → Date. */
export const zUnixMillis = zSafeInteger.transform((ms) => new Date(ms));

/** An ISO-8601 timestamp string → Date. */
export const zIsoDate = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a timestamp: ${value}` });
    return z.NEVER;
  }
  return new Date(ms);
});

/**
 * Validates a parsed body against `schema`; a mismatch becomes `ProviderParseError` naming the first problems
 * (path and message), so a provider changing its format fails loudly and counts against the circuit breaker.
 */
export function parseBody<S extends z.ZodTypeAny>(
  provider: string,
  schema: S,
  data: unknown,
  text: string,
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data as z.output<S>;
  const detail = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new ProviderParseError(provider, `unexpected shape: ${detail}`, snippet(text), { cause: result.error });
}
