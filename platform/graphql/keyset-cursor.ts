import { badInput } from '../errors.js';

/** A timestamp as the keyset queries render it: `to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`. */
const MICROSECOND_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * The cursor of a newest-first connection ordered by (time, id): the row's time to the microsecond (exact, so no
 * row is skipped or repeated between pages) and its id, as opaque base64url.
 */
export function encodeKeysetCursor(time: string, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

/** Reads a cursor made by encodeKeysetCursor; anything else, or an id not matching `idPattern`, is BAD_USER_INPUT. */
export function decodeKeysetCursor(cursor: string, idPattern: RegExp): { time: string; id: string } {
  const refuse = () => badInput('after is not a cursor from this connection', { field: 'after' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw refuse();
  const [time, id] = parsed as unknown[];
  if (typeof time !== 'string' || !MICROSECOND_TIME.test(time) || typeof id !== 'string' || !idPattern.test(id))
    throw refuse();
  return { time, id };
}
