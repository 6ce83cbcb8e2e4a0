import { badInput } from '../../platform/errors.js';

/**
 * Cursors of the reviewers' queues (submissions, account recoveries): oldest first, ordered by (createdAt, id), the
 * cursor carrying both as opaque base64url. `idPattern` says which ids belong to the queue.
 */
export function encodeQueueCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeQueueCursor(cursor: string, idPattern: RegExp): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !idPattern.test(id) || Number.isNaN(createdAt.getTime()))
    throw badInput('after is not a cursor from this connection', { field: 'after' });
  return { createdAt, id };
}

/** The `where` of one page after `cursor`, with an optional status filter. */
export function queuePageFilter(
  status: string | null,
  cursor: { createdAt: Date; id: string } | null,
): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (status) where.status = status;
  if (cursor)
    where.$or = [{ createdAt: { $gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $gt: cursor.id } }];
  return where;
}
