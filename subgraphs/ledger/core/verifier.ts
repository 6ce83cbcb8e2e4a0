import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

export type MismatchKind =
  | 'TRANSACTION_HASH'
  | 'EMPTY_TRANSACTION'
  | 'ORPHAN_POSTING'
  | 'CHAIN_LINK'
  | 'CHAIN_ORDER'
  | 'BALANCE'
  | 'ASSET_SUM'
  | 'NEGATIVE_BALANCE'
  | 'HOLD';

export interface Mismatch {
  kind: MismatchKind;
  /** What is wrong: a transaction id, chain position, account or asset. */
  subject: string;
  expected: string | null;
  actual: string | null;
}

export interface LedgerReport {
  ok: boolean;
  checkedAt: Date;
  transactions: number;
  postings: number;
  accounts: number;
  chainLength: number;
  /** Hash of the last sealed transaction (hex): record it elsewhere to anchor the chain. */
  chainHead: string | null;
  /** Committed transactions not sealed yet (still behind a running transaction). */
  unsealed: number;
  mismatches: Mismatch[];
}

const MAX_MISMATCHES = 1000;
/** Rows sealed per sealing transaction: short transactions, so the horizon they hold back moves on quickly. */
const SEAL_BATCH = 1_000;
/** How long a verification waits for transactions in flight when it started to finish and become sealable. */
const SETTLE_WAIT_MS = 5_000;

/** Seals committed transactions into the hash chain; returns how many it sealed (0 if another sealer is at work). */
export async function sealChain(em: EntityManager, limit = SEAL_BATCH): Promise<number> {
  const rows = await em
    .getConnection()
    .execute<{ sealed: number }[]>('select ledger.seal_chain(?) as sealed', [limit], 'all', em.getTransactionContext());
  return rows[0]?.sealed ?? 0;
}

/**
 * Seals every transaction committed before the call: waits for a sealer at work (its chain rows must be
 * committed before a verification reads the chain; seal_chain's own lock is re-entrant in this session),
 * and, up to SETTLE_WAIT_MS, for transactions then in flight to finish so those behind them become
 * sealable. Whatever is still behind a longer transaction is reported as `unsealed`, not as a mismatch.
 */
export async function sealAll(em: EntityManager): Promise<void> {
  const conn = em.getConnection();
  const [{ target } = { target: '0' }] = await conn.execute<{ target: string }[]>(
    'select pg_snapshot_xmax(pg_current_snapshot())::text as target',
  );
  const deadline = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    await em.fork().transactional(async (tx) => {
      await tx
        .getConnection()
        .execute(`select pg_advisory_xact_lock(hashtext('ledger.seal_chain'))`, [], 'all', tx.getTransactionContext());
      while ((await sealChain(tx)) === SEAL_BATCH) {
        /* the next batch */
      }
    });
    const behind = await conn.execute<{ n: number }[]>(
      'select count(*)::int as n from ledger.transaction t where t.xid < ?::xid8 and not exists (select 1 from ledger.chain c where c.transaction_id = t.id)',
      [target],
    );
    if ((behind[0]?.n ?? 0) === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Recomputes everything the ledger caches or chains and reports each disagreement:
 * - each transaction's canonical hash from its row and postings (a tampered posting or row shows here),
 * - the chain: every link's previous hash, its hash over the recomputed content, gapless positions in
 *   (xid, seq) order,
 * - every cached balance against Σ postings, Σ per asset = 0, no user balance below zero,
 * - each user's held balance against their active holds.
 * Seals first, then reads everything in one REPEATABLE READ snapshot so concurrent commits cannot show as
 * mismatches.
 */
export async function verifyLedger(em: EntityManager): Promise<LedgerReport> {
  await sealAll(em);
  return em.fork().transactional(
    async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      const run = <T>(sql: string) => conn.execute<T[]>(sql, [], 'all', ctx);

      const [counts] = await run<{
        transactions: string;
        postings: string;
        accounts: string;
        chain_length: string;
        chain_head: string | null;
        unsealed: string;
      }>(`
        select (select count(*) from ledger.transaction) as transactions,
               (select count(*) from ledger.posting) as postings,
               (select count(distinct account) from ledger.balance) as accounts,
               (select count(*) from ledger.chain) as chain_length,
               (select encode(hash, 'hex') from ledger.chain order by position desc limit 1) as chain_head,
               (select count(*) from ledger.transaction t where not exists (select 1 from ledger.chain c where c.transaction_id = t.id)) as unsealed`);

      const mismatches = await run<Mismatch>(`
        with lines as (
          select transaction_id, string_agg(ledger.posting_line(source, destination, asset, amount), ';' order by idx) as lines
          from ledger.posting group by transaction_id
        ), recomputed as (
          select t.id, t.xid, t.seq, t.content_hash as stored, l.lines,
                 ledger.content_hash(t.id, t.kind, t.asset, t.amount, t.fee, t.user_id, t.counterparty_id, t.reference, t.note,
                   t.actor, t.reason, t.reverses, t.hold_id, t.created_at, l.lines) as actual
          from ledger.transaction t left join lines l on l.transaction_id = t.id
        ), links as (
          select c.position, c.transaction_id, c.prev_hash, c.hash, r.actual, r.xid, r.seq,
                 lag(c.hash) over w as prev, lag(r.xid) over w as prev_xid, lag(r.seq) over w as prev_seq,
                 row_number() over w as expected_position
          from ledger.chain c join recomputed r on r.id = c.transaction_id
          window w as (order by c.position)
        )
        select 'TRANSACTION_HASH' as kind, id as subject, encode(stored, 'hex') as expected, encode(actual, 'hex') as actual
          from recomputed where lines is not null and actual is distinct from stored
        union all
        select 'EMPTY_TRANSACTION', id, null, null from recomputed where lines is null
        union all
        select 'ORPHAN_POSTING', p.transaction_id || '#' || p.idx, null, null
          from ledger.posting p where not exists (select 1 from ledger.transaction t where t.id = p.transaction_id)
        union all
        select 'CHAIN_LINK', position::text || ':' || transaction_id,
               encode(coalesce(prev, '\\x${'00'.repeat(32)}'::bytea), 'hex') || '/' || encode(sha256(prev_hash || coalesce(actual, ''::bytea)), 'hex'),
               encode(prev_hash, 'hex') || '/' || encode(hash, 'hex')
          from links
          where prev_hash <> coalesce(prev, '\\x${'00'.repeat(32)}'::bytea) or actual is null or hash <> sha256(prev_hash || actual)
        union all
        select 'CHAIN_ORDER', position::text || ':' || transaction_id, expected_position::text, position::text
          from links where position <> expected_position or (prev_xid is not null and (xid, seq) <= (prev_xid, prev_seq))
        limit ${MAX_MISMATCHES}`);

      const accountMismatches = await run<Mismatch>(`
        with flows as (
          select source as account, -amount as delta from ledger.posting
          union all
          select destination, amount from ledger.posting
        ), expected as (
          select account, sum(delta) as amount from flows group by account
        ), cached as (
          select account, sum(amount) as amount from ledger.balance group by account
        )
        select 'BALANCE' as kind, coalesce(e.account, c.account) as subject, coalesce(e.amount, 0)::text as expected, coalesce(c.amount, 0)::text as actual
          from expected e full join cached c on c.account = e.account
          where coalesce(e.amount, 0) <> coalesce(c.amount, 0)
        union all
        select 'ASSET_SUM', asset, '0', sum(amount)::text from ledger.balance group by asset having sum(amount) <> 0
        union all
        select 'NEGATIVE_BALANCE', account, '>= 0', amount::text from ledger.balance where user_id is not null and amount < 0
        union all
        select 'HOLD', coalesce(h.user_id, b.user_id) || ':' || coalesce(h.asset, b.asset), coalesce(h.remaining, 0)::text, coalesce(b.amount, 0)::text
          from (select user_id, asset, sum(amount - captured - released) as remaining from ledger.hold where status = 'ACTIVE' group by user_id, asset) h
          full join (select user_id, asset, amount from ledger.balance where user_id is not null and account like '%:held') b
            on b.user_id = h.user_id and b.asset = h.asset
          where coalesce(h.remaining, 0) <> coalesce(b.amount, 0)
        limit ${MAX_MISMATCHES}`);

      const all = [...mismatches, ...accountMismatches].slice(0, MAX_MISMATCHES);
      return {
        ok: all.length === 0,
        checkedAt: new Date(),
        transactions: Number(counts?.transactions ?? 0),
        postings: Number(counts?.postings ?? 0),
        accounts: Number(counts?.accounts ?? 0),
        chainLength: Number(counts?.chain_length ?? 0),
        chainHead: counts?.chain_head ?? null,
        unsealed: Number(counts?.unsealed ?? 0),
        mismatches: all,
      };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}
