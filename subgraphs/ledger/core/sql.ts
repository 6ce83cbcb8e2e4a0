/** A timestamp from a raw query: the driver returns text here ("2026-11-21 22:09:02.878+00"), not a Date. */
export function timestamp(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/**
 * A PostgreSQL text[] literal for a `?::text[]` parameter (knex would expand a JS array into a list).
 * Every element is double-quoted with backslashes and quotes escaped, so any string is safe.
 */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** Failures worth running the same transaction again: deadlock, serialization, a CHECK lost to a race. */
const RETRYABLE = new Set(['40P01', '40001', '23514']);

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && RETRYABLE.has(code);
}
