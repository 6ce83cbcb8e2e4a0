import type { EntityManager } from '@mikro-orm/postgresql';
import { isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput } from '../../../platform/errors.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { TRANSACTION_KINDS, type TransactionKind } from '../core/ledger.types.js';
import { textArray, timestamp } from '../core/sql.js';

export interface TransactionRecord {
  id: string;
  seq: string;
  xid: string;
  kind: TransactionKind;
  asset: string;
  amount: bigint;
  fee: bigint;
  userId: string | null;
  counterpartyId: string | null;
  reference: string | null;
  note: string | null;
  actor: string | null;
  reason: string | null;
  reverses: string | null;
  holdId: string | null;
  createdAt: Date;
  /** The reversal of this transaction, if any. */
  reversedBy: string | null;
}

export interface PostingRecord {
  transactionId: string;
  index: number;
  source: string;
  destination: string;
  asset: string;
  amount: bigint;
}

export interface TransactionFilter {
  kinds?: TransactionKind[] | null;
  asset?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export interface TransactionPage {
  nodes: TransactionRecord[];
  cursors: string[];
  hasNextPage: boolean;
}

interface TransactionRow {
  id: string;
  seq: string;
  xid: string;
  kind: TransactionKind;
  asset: string;
  amount: string;
  fee: string;
  user_id: string | null;
  counterparty_id: string | null;
  reference: string | null;
  note: string | null;
  actor: string | null;
  reason: string | null;
  reverses: string | null;
  hold_id: string | null;
  created_at: string | Date;
  reversed_by: string | null;
}

const COLUMNS =
  't.id, t.seq, t.xid::text as xid, t.kind, t.asset, t.amount, t.fee, t.user_id, t.counterparty_id, t.reference, t.note, t.actor, t.reason, t.reverses, t.hold_id, t.created_at';
/**
 * Rows are listed only below ledger.settled_horizon() (the oldest transaction that could still write a
 * ledger row): a transaction that commits later always sorts after every row already shown, so pages
 * never skip one (newest first by (xid, seq)).
 */
const SETTLED = 't.xid < (select ledger.settled_horizon())';

/** Reads of committed transactions: by id, a user's history, staff search. */
export class TransactionService {
  async byIds(em: EntityManager, ids: readonly string[]): Promise<TransactionRecord[]> {
    if (!ids.length) return [];
    const rows = await em
      .getConnection()
      .execute<TransactionRow[]>(
        `select ${COLUMNS}, r.id as reversed_by from ledger.transaction t left join ledger.transaction r on r.reverses = t.id where t.id = any(?::text[])`,
        [textArray(ids)],
        'all',
        em.getTransactionContext(),
      );
    return rows.map(toRecord);
  }

  /** The DEPOSIT transaction of an on-chain output (`deposit:<network>:<tx hash>:<index>`), or null. */
  async depositByReference(em: EntityManager, reference: string): Promise<TransactionRecord | null> {
    return this.first(em, `t.kind = 'DEPOSIT' and t.reference = ?`, [reference]);
  }

  /** The TRANSFER an internal withdrawal (`withdrawal:<id>` to a platform deposit address) posted, or null. */
  async transferByReference(em: EntityManager, reference: string): Promise<TransactionRecord | null> {
    return this.first(em, `t.kind = 'TRANSFER' and t.reference = ?`, [reference]);
  }

  /** A hold's placement transaction, or its last settling one. */
  async ofHold(em: EntityManager, holdId: string, last = false): Promise<TransactionRecord | null> {
    return this.first(em, `t.hold_id = ? order by t.seq ${last ? 'desc' : 'asc'} limit 1`, [holdId]);
  }

  private async first(em: EntityManager, condition: string, params: unknown[]): Promise<TransactionRecord | null> {
    const rows = await em
      .getConnection()
      .execute<TransactionRow[]>(
        `select ${COLUMNS}, r.id as reversed_by from ledger.transaction t left join ledger.transaction r on r.reverses = t.id where ${condition}`,
        params,
        'all',
        em.getTransactionContext(),
      );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async postingsOf(em: EntityManager, transactionIds: readonly string[]): Promise<PostingRecord[]> {
    if (!transactionIds.length) return [];
    const rows = await em
      .getConnection()
      .execute<
        { transaction_id: string; idx: number; source: string; destination: string; asset: string; amount: string }[]
      >(
        'select transaction_id, idx, source, destination, asset, amount from ledger.posting where transaction_id = any(?::text[]) order by transaction_id, idx',
        [textArray(transactionIds)],
        'all',
        em.getTransactionContext(),
      );
    return rows.map((r) => ({
      transactionId: r.transaction_id,
      index: r.idx,
      source: r.source,
      destination: r.destination,
      asset: r.asset,
      amount: BigInt(r.amount),
    }));
  }

  /** Parties see their own transactions; staff see every transaction. */
  canSee(viewer: Viewer, record: Pick<TransactionRecord, 'userId' | 'counterpartyId'>): boolean {
    if (isStaff(viewer)) return true;
    return viewer.userId !== null && (record.userId === viewer.userId || record.counterpartyId === viewer.userId);
  }

  /** A user's transactions (as sender or receiver), newest first. */
  async history(
    em: EntityManager,
    userId: string,
    filter: TransactionFilter,
    first: number,
    after: string | null,
  ): Promise<TransactionPage> {
    const limit = checkFirst(first);
    const { sql: where, params } = conditions(filter, after);
    const rows = await em.getConnection().execute<TransactionRow[]>(
      `select u.*, r.id as reversed_by from (
         (select ${COLUMNS} from ledger.transaction t where t.user_id = ? and ${SETTLED}${where} order by t.xid desc, t.seq desc limit ?)
         union all
         (select ${COLUMNS} from ledger.transaction t where t.counterparty_id = ? and t.user_id is distinct from ? and ${SETTLED}${where} order by t.xid desc, t.seq desc limit ?)
       ) u left join ledger.transaction r on r.reverses = u.id
       order by u.xid::xid8 desc, u.seq desc limit ?`,
      [userId, ...params, limit + 1, userId, userId, ...params, limit + 1, limit + 1],
    );
    return page(rows, limit);
  }

  /** Staff search: by user (either side), asset, kinds and a date range, newest first. */
  async search(
    em: EntityManager,
    filter: TransactionFilter & { userId?: string | null },
    first: number,
    after: string | null,
  ): Promise<TransactionPage> {
    if (filter.userId) return this.history(em, filter.userId, filter, first, after);
    const limit = checkFirst(first);
    const { sql: where, params } = conditions(filter, after);
    const rows = await em.getConnection().execute<TransactionRow[]>(
      `select ${COLUMNS}, r.id as reversed_by from ledger.transaction t left join ledger.transaction r on r.reverses = t.id
       where ${SETTLED}${where} order by t.xid desc, t.seq desc limit ?`,
      [...params, limit + 1],
    );
    return page(rows, limit);
  }
}

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > 100)
    throw badInput('first must be between 1 and 100', { field: 'first' });
  return first;
}

function conditions(filter: TransactionFilter, after: string | null): { sql: string; params: unknown[] } {
  let sql = '';
  const params: unknown[] = [];
  if (after) {
    const cursor = decodeCursor(after);
    sql += ' and (t.xid, t.seq) < (?::xid8, ?::bigint)';
    params.push(cursor.xid, cursor.seq);
  }
  if (filter.kinds?.length) {
    const unknown = filter.kinds.filter((k) => !(TRANSACTION_KINDS as readonly string[]).includes(k));
    if (unknown.length) throw badInput(`unknown transaction kind ${unknown.join(', ')}`, { field: 'kinds' });
    sql += ' and t.kind = any(?::text[])';
    params.push(textArray(filter.kinds));
  }
  if (filter.asset) {
    if (!assetInfo(filter.asset)) throw badInput(`unknown asset ${filter.asset}`, { field: 'asset' });
    sql += ' and t.asset = ?';
    params.push(filter.asset);
  }
  if (filter.from) {
    sql += ' and t.created_at >= ?';
    params.push(filter.from);
  }
  if (filter.to) {
    sql += ' and t.created_at < ?';
    params.push(filter.to);
  }
  return { sql, params };
}

function page(rows: TransactionRow[], limit: number): TransactionPage {
  const nodes = rows.slice(0, limit).map(toRecord);
  return { nodes, cursors: nodes.map((n) => encodeCursor(n.xid, n.seq)), hasNextPage: rows.length > limit };
}

function toRecord(r: TransactionRow): TransactionRecord {
  return {
    id: r.id,
    seq: String(r.seq),
    xid: String(r.xid),
    kind: r.kind,
    asset: r.asset,
    amount: BigInt(r.amount),
    fee: BigInt(r.fee),
    userId: r.user_id,
    counterpartyId: r.counterparty_id,
    reference: r.reference,
    note: r.note,
    actor: r.actor,
    reason: r.reason,
    reverses: r.reverses,
    holdId: r.hold_id,
    createdAt: timestamp(r.created_at),
    reversedBy: r.reversed_by,
  };
}

/** The cursor is the row's place in the commit-safe order: (xid, seq). */
export function encodeCursor(xid: string, seq: string): string {
  return Buffer.from(`${xid}.${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): { xid: string; seq: string } {
  const match = /^(\d{1,20})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput('after is not a cursor from this connection', { field: 'after' });
  return { xid: match[1]!, seq: match[2]! };
}
