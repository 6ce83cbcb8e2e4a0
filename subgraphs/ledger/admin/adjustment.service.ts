import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { badInput, conflict, DomainError, ErrorCode, forbidden, notFound } from '../../../platform/errors.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../../platform/graphql/keyset-cursor.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { accounts } from '../core/accounts.js';
import type { Ledger, LedgerResult } from '../core/ledger.js';
import { draft } from '../core/ledger.types.js';
import type { OutboxWaker } from '../core/outbox-waker.js';

/** A pending adjustment waits this long for its second pair of eyes, then can no longer be approved. */
export const ADJUSTMENT_REQUEST_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_PAGE = 100;
const ADJUSTMENT_ID = /^adj_[0-9a-z]{26}$/;

export type AdjustmentStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED' | 'EXPIRED';

export interface AdjustmentRequestRecord {
  id: string;
  userId: string;
  asset: string;
  /** Signed minor units: > 0 credits, < 0 debits. */
  amount: bigint;
  reason: string;
  requestedBy: string;
  /** EXPIRED: still PENDING in the table, past expiresAt. */
  status: AdjustmentStatus;
  createdAt: Date;
  expiresAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  transactionId: string | null;
}

interface Row {
  id: string;
  user_id: string;
  asset: string;
  amount: string;
  reason: string;
  requested_by: string;
  request_hash: Buffer;
  status: Exclude<AdjustmentStatus, 'EXPIRED'>;
  created_at: Date | string;
  expires_at: Date | string;
  decided_by: string | null;
  decided_at: Date | string | null;
  decision_note: string | null;
  transaction_id: string | null;
  expired: boolean;
  created_key: string;
}

const COLUMNS = `id, user_id, asset, amount::text as amount, reason, requested_by, request_hash, status, created_at, expires_at, decided_by, decided_at,
  decision_note, transaction_id, (status = 'PENDING' and expires_at <= now()) as expired,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key`;

function recordOf(r: Row): AdjustmentRequestRecord {
  return {
    id: r.id,
    userId: r.user_id,
    asset: r.asset,
    amount: BigInt(r.amount),
    reason: r.reason,
    requestedBy: r.requested_by,
    status: r.expired ? 'EXPIRED' : r.status,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at ? new Date(r.decided_at) : null,
    decisionNote: r.decision_note,
    transactionId: r.transaction_id,
  };
}

function run<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

/** What the approval posts: world:<asset> → the user's available balance (a credit), or back (a debit). */
export function adjustmentDraft(
  r: { userId: string; asset: string; amount: bigint; reason: string },
  actor: string,
  extra: Partial<Parameters<typeof draft>[0]> = {},
) {
  const user = accounts.available(r.userId, r.asset);
  const world = accounts.world(r.asset);
  const magnitude = r.amount < 0n ? -r.amount : r.amount;
  return draft({
    kind: 'ADJUSTMENT',
    asset: r.asset,
    amount: magnitude,
    userId: r.userId,
    actor,
    reason: r.reason,
    postings: [
      r.amount > 0n
        ? { source: world, destination: user, asset: r.asset, amount: magnitude }
        : { source: user, destination: world, asset: r.asset, amount: magnitude },
    ],
    ...extra,
  });
}

/**
 * Four eyes on created money. An adjustment that needs a second approval is stored as a request; another money
 * admin approves it (which posts it, exactly once: the request row is locked and marked in the posting's own
 * transaction), the requester cancels it, or another money admin rejects it. A request expires after
 * ADJUSTMENT_REQUEST_TTL_MS and can then no longer be approved (ADJUSTMENT_EXPIRED). Nobody approves their own
 * request or an adjustment of their own account. Events: ledger.adjustment.requested|approved|rejected.
 */
export class AdjustmentRequests {
  constructor(
    private readonly ledger: Ledger,
    private readonly waker: OutboxWaker | null,
    private readonly log: Logger,
  ) {}

  /** Stores the request (or returns the one this key already made; CONFLICT when the key made another). */
  async request(
    em: EntityManager,
    input: {
      userId: string;
      asset: string;
      amount: bigint;
      reason: string;
      requestedBy: string;
      key: string;
      requestHash: string;
    },
  ): Promise<AdjustmentRequestRecord> {
    return em.fork().transactional(async (tx) => {
      const id = newId('adj');
      const [inserted] = await run<Row>(
        tx,
        `insert into ledger.adjustment_request (id, user_id, asset, amount, reason, requested_by, idempotency_key, request_hash, status, expires_at)
         values (?, ?, ?, ?, ?, ?, ?, decode(?, 'hex'), 'PENDING', now() + (? * interval '1 millisecond'))
         on conflict (requested_by, idempotency_key) do nothing
         returning ${COLUMNS}`,
        [
          id,
          input.userId,
          input.asset,
          input.amount.toString(),
          input.reason,
          input.requestedBy,
          input.key,
          input.requestHash,
          ADJUSTMENT_REQUEST_TTL_MS,
        ],
      );
      if (inserted) {
        recordEvent(tx, 'ledger.adjustment.requested', 'ledger', {
          requestId: id,
          userId: input.userId,
          asset: input.asset,
          amount: input.amount.toString(),
          requestedBy: input.requestedBy,
          expiresAt: new Date(inserted.expires_at).toISOString(),
        });
        this.log.warn(
          {
            requestId: id,
            requestedBy: input.requestedBy,
            userId: input.userId,
            asset: input.asset,
            amount: input.amount.toString(),
          },
          'balance adjustment waits for a second approval',
        );
        return recordOf(inserted);
      }
      const [prior] = await run<Row>(
        tx,
        `select ${COLUMNS} from ledger.adjustment_request where requested_by = ? and idempotency_key = ?`,
        [input.requestedBy, input.key],
      );
      if (!prior || prior.request_hash.toString('hex') !== input.requestHash)
        throw conflict('This idempotencyKey was already used for a different request', { field: 'idempotencyKey' });
      return recordOf(prior);
    });
  }

  /** A second money admin posts the request. Concurrent or repeated approvals all answer the one transaction. */
  async approve(
    em: EntityManager,
    approverId: string,
    requestId: string,
  ): Promise<{ request: AdjustmentRequestRecord; result: LedgerResult }> {
    const outcome = await em.fork().transactional(async (tx) => {
      const [row] = await run<Row>(tx, `select ${COLUMNS} from ledger.adjustment_request where id = ? for update`, [
        requestId,
      ]);
      if (!row) throw notFound('Adjustment request', requestId);
      const request = recordOf(row);
      if (request.requestedBy === approverId)
        throw fourEyes('You requested this adjustment: another money admin must approve it');
      if (request.userId === approverId)
        throw fourEyes('This adjustment is of your own account: another money admin must approve it');
      if (request.status === 'APPROVED') {
        const [transaction] = await this.ledger.transactions.byIds(tx, [request.transactionId!]);
        return { request, result: { type: 'Transaction', transaction: transaction!, replayed: true } as LedgerResult };
      }
      if (request.status === 'EXPIRED') {
        throw new DomainError(
          ErrorCode.ADJUSTMENT_EXPIRED,
          `Adjustment request ${requestId} expired at ${request.expiresAt.toISOString()}: request it again`,
          { expiresAt: request.expiresAt.toISOString() },
        );
      }
      if (request.status !== 'PENDING')
        throw conflict(`Adjustment request ${requestId} was already ${request.status.toLowerCase()}`, {
          status: request.status,
        });
      const result = await this.ledger.commitWithin(
        tx,
        // Exactly once without an idempotency claim: the request row is locked and marked APPROVED in this same
        // transaction, so a second approval waits here and then finds it APPROVED. (A claim would also remember a
        // refusal, e.g. InsufficientFunds on a debit, and replay it after the user's balance allows the debit.)
        adjustmentDraft(request, approverId, { reference: `adjustment:${request.id}` }),
      );
      if (result.type !== 'Transaction') return { request, result };
      const [decided] = await run<Row>(
        tx,
        `update ledger.adjustment_request set status = 'APPROVED', decided_by = ?, decided_at = now(), transaction_id = ? where id = ? returning ${COLUMNS}`,
        [approverId, result.transaction.id, requestId],
      );
      recordEvent(tx, 'ledger.adjustment.approved', 'ledger', {
        requestId,
        transactionId: result.transaction.id,
        approvedBy: approverId,
        requestedBy: request.requestedBy,
      });
      this.log.info(
        { requestId, approvedBy: approverId, requestedBy: request.requestedBy, transactionId: result.transaction.id },
        'balance adjustment approved and posted',
      );
      return { request: recordOf(decided!), result };
    });
    if (outcome.result.type === 'Transaction' && !outcome.result.replayed) this.waker?.poke();
    return outcome;
  }

  /** The requester cancels (CANCELLED) or another money admin rejects (REJECTED) a pending request, with a note. */
  async reject(em: EntityManager, adminId: string, requestId: string, note: string): Promise<AdjustmentRequestRecord> {
    const text = note.trim();
    if (text.length === 0 || text.length > 500)
      throw badInput('note must be 1..500 characters: say why', { field: 'note' });
    return em.fork().transactional(async (tx) => {
      const [row] = await run<Row>(tx, `select ${COLUMNS} from ledger.adjustment_request where id = ? for update`, [
        requestId,
      ]);
      if (!row) throw notFound('Adjustment request', requestId);
      if (row.status !== 'PENDING')
        throw conflict(`Adjustment request ${requestId} was already ${row.status.toLowerCase()}`, {
          status: row.status,
        });
      const status = row.requested_by === adminId ? 'CANCELLED' : 'REJECTED';
      if (status === 'REJECTED' && row.user_id === adminId)
        throw fourEyes('This adjustment is of your own account: another money admin must decide on it');
      const [decided] = await run<Row>(
        tx,
        `update ledger.adjustment_request set status = ?, decided_by = ?, decided_at = now(), decision_note = ? where id = ? returning ${COLUMNS}`,
        [status, adminId, text, requestId],
      );
      recordEvent(tx, 'ledger.adjustment.rejected', 'ledger', { requestId, status, decidedBy: adminId, note: text });
      return recordOf(decided!);
    });
  }

  /** Requests of one status, newest first (PENDING: not yet expired; EXPIRED: pending past their expiry). */
  async page(
    em: EntityManager,
    status: AdjustmentStatus,
    first: number,
    after: string | null | undefined,
  ): Promise<{ edges: { cursor: string; node: AdjustmentRequestRecord }[]; hasNextPage: boolean }> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw badInput(`first must be 1..${MAX_PAGE}`, { field: 'first' });
    const cursor = after == null ? null : decodeKeysetCursor(after, ADJUSTMENT_ID);
    const where =
      status === 'PENDING'
        ? `status = 'PENDING' and expires_at > now()`
        : status === 'EXPIRED'
          ? `status = 'PENDING' and expires_at <= now()`
          : `status = '${status}'`;
    const rows = await run<Row>(
      em,
      `select ${COLUMNS} from ledger.adjustment_request where ${where} ${cursor ? 'and (created_at, id) < (?::timestamptz, ?)' : ''}
       order by created_at desc, id desc limit ?`,
      cursor ? [cursor.time, cursor.id, first + 1] : [first + 1],
    );
    const edges = rows.slice(0, first).map((r) => ({
      cursor: encodeKeysetCursor(r.created_key, r.id),
      node: recordOf(r),
    }));
    return { edges, hasNextPage: rows.length > first };
  }
}

function fourEyes(message: string): DomainError {
  const err = forbidden(message);
  return new DomainError(err.code, err.message, { reason: 'FOUR_EYES' });
}
