/**
 * Parses an HTTP `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds (a non-negative integer) or an
 * HTTP-date. Returns milliseconds from `now`, clamped at 0, or null when the header is absent or unparseable.
 * Fractional seconds ("1.5") are accepted too, because some providers send them.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value == null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Math.ceil(Number(trimmed) * 1000);
  }
  if (!/[a-z]/i.test(trimmed)) return null; // an HTTP-date names a day and month; "-5" is not a date
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
