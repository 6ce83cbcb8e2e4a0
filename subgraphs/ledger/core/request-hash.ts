import { createHash } from 'node:crypto';

type Canonical = string | number | boolean | null | bigint | Canonical[] | { [key: string]: Canonical | undefined };

/** JSON with sorted keys, bigints as strings and undefined dropped: the same input always hashes the same. */
export function canonicalJson(value: Canonical): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v as Canonical)}`).join(',')}}`;
}

/** The idempotency request hash: sha256 (hex) of the operation name and its canonical input. */
export function requestHash(operation: string, input: { [key: string]: Canonical | undefined }): string {
  return createHash('sha256').update(operation).update('\n').update(canonicalJson(input)).digest('hex');
}
