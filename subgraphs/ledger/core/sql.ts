/**
 * A PostgreSQL text[] literal for a `?::text[]` parameter (knex would expand a JS array into a list).
 * Every element is double-quoted with backslashes and quotes escaped, so any string is safe.
 */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
