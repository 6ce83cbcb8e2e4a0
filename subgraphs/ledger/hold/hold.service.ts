import type { EntityManager } from '@mikro-orm/postgresql';
import { raceRetryPolicy } from '../../../platform/backoff.js';
import { badInput, conflict, notFound } from '../../../platform/errors.js';
import { newId } from '../../../platform/ids.js';
import { accounts } from '../core/accounts.js';
import { isRetryable, timestamp } from '../core/sql.js';
import type { Ledger, LedgerResult } from '../core/ledger.js';
import {
  draft,
  type IdempotencyClaim,
  type LevelLimitClaim,
  type Posting,
  type TransactionKind,
} from '../core/ledger.types.js';

export type HoldStatus = 'ACTIVE' | 'CAPTURED' | 'RELEASED' | 'EXPIRED';

export interface HoldRecord {
  id: string;
  userId: string;
  asset: string;
  kind: TransactionKind;
  amount: bigint;
  captured: bigint;
  released: bigint;
  status: HoldStatus;
  reference: string | null;
  expiresAt: Date | null;
}

export interface PlaceHold {
  userId: string;
  asset: string;
  amount: bigint;
  /** The kind of the operation the hold serves (WITHDRAWAL, BUY…); its transactions carry it. */
  kind: TransactionKind;
  /** What the hold is for, unique among holds (e.g. withdrawal:<id>). */
  reference: string | null;
  expiresAt: Date | null;
  actor: string;
  idempotency?: IdempotencyClaim | null;
  /** The level-limit claim the hold counts against (a withdrawal, a Toman payout), checked when the hold is placed. */
  levelLimit?: LevelLimitClaim | null;
}

export interface CaptureHold {
  /** Where the captured amount goes (custody:<network>:<asset>, exchange:<asset>, …). */
  destination: string;
  /** What the destination receives; default: the whole remainder less the fee. */
  amount?: bigint;
  /** Taken from the hold on top of amount, credited to fees:<asset>. */
  fee?: bigint;
  actor: string;
}

interface HoldRow {
  id: string;
  user_id: string;
  asset: string;
  kind: TransactionKind;
  amount: string;
  captured: string;
  released: string;
  status: HoldStatus;
  reference: string | null;
  expires_at: string | Date | null;
}

/** Failures that mean "run the whole unit again": deadlock, serialization, a funds check lost to a race. */

/**
 * Holds reserve part of a user's available balance (available → held) until they are captured (held →
 * a destination, in part or whole), released (held → available) or expire (released by the sweeper).
 * Each step is one ledger transaction plus the hold row, in one database transaction; the hold row is
 * locked first, then the balances (in the ledger's fixed order).
 */
export class HoldService {
  constructor(private readonly ledger: Ledger) {}

  async place(em: EntityManager, input: PlaceHold): Promise<{ result: LedgerResult; hold: HoldRecord | null }> {
    if (input.amount <= 0n) throw badInput('a hold must be for a positive amount', { field: 'amount' });
    return retrying(em, async (tx) => {
      const holdId = newId('hld');
      const result = await this.ledger.commitWithin(
        tx,
        draft({
          kind: input.kind,
          asset: input.asset,
          amount: input.amount,
          userId: input.userId,
          reference: input.reference,
          actor: input.actor,
          holdId,
          idempotency: input.idempotency ?? null,
          levelLimit: input.levelLimit ?? null,
          postings: [
            {
              source: accounts.available(input.userId, input.asset),
              destination: accounts.held(input.userId, input.asset),
              asset: input.asset,
              amount: input.amount,
            },
          ],
        }),
      );
      if (result.type !== 'Transaction') return { result, hold: null };
      if (result.replayed)
        return { result, hold: result.transaction.holdId ? await this.byId(tx, result.transaction.holdId) : null };
      const [row] = await tx
        .getConnection()
        .execute<HoldRow[]>(
          `insert into ledger.hold (id, user_id, asset, kind, amount, status, reference, expires_at) values (?, ?, ?, ?, ?, 'ACTIVE', ?, ?) returning *`,
          [holdId, input.userId, input.asset, input.kind, input.amount.toString(), input.reference, input.expiresAt],
          'all',
          tx.getTransactionContext(),
        );
      return { result, hold: toRecord(row!) };
    });
  }

  /** Moves `amount + fee` of the hold's remainder to `destination` (and fees). A remainder stays held. */
  async capture(
    em: EntityManager,
    holdId: string,
    input: CaptureHold,
  ): Promise<{ result: LedgerResult; hold: HoldRecord }> {
    return retrying(em, async (tx) => {
      const hold = await this.lock(tx, holdId);
      const remaining = hold.amount - hold.captured - hold.released;
      const fee = input.fee ?? 0n;
      const amount = input.amount ?? remaining - fee;
      if (fee < 0n || amount <= 0n)
        throw badInput('capture a positive amount and a fee that is not negative', { field: 'amount' });
      if (amount + fee > remaining)
        throw badInput(`the hold has ${remaining} left; ${amount + fee} cannot be captured`, { field: 'amount' });
      const held = accounts.held(hold.userId, hold.asset);
      const postings: Posting[] = [{ source: held, destination: input.destination, asset: hold.asset, amount }];
      if (fee > 0n)
        postings.push({ source: held, destination: accounts.fees(hold.asset), asset: hold.asset, amount: fee });
      const result = await this.ledger.commitWithin(
        tx,
        draft({
          kind: hold.kind,
          asset: hold.asset,
          amount,
          fee,
          userId: hold.userId,
          reference: hold.reference,
          actor: input.actor,
          holdId: hold.id,
          postings,
        }),
      );
      if (result.type !== 'Transaction') throw new Error(`capturing hold ${hold.id} was refused: ${result.type}`);
      const captured = hold.captured + amount + fee;
      return {
        result,
        hold: await this.update(tx, hold.id, {
          captured,
          status: captured + hold.released === hold.amount ? 'CAPTURED' : 'ACTIVE',
        }),
      };
    });
  }

  /** Returns the hold's remainder to the user's available balance. */
  async release(
    em: EntityManager,
    holdId: string,
    actor: string,
    status: 'RELEASED' | 'EXPIRED' = 'RELEASED',
  ): Promise<{ result: LedgerResult; hold: HoldRecord }> {
    return retrying(em, async (tx) => {
      const hold = await this.lock(tx, holdId);
      const remaining = hold.amount - hold.captured - hold.released;
      const result = await this.ledger.commitWithin(
        tx,
        draft({
          kind: hold.kind,
          asset: hold.asset,
          amount: remaining,
          userId: hold.userId,
          reference: hold.reference,
          actor,
          reason: status === 'EXPIRED' ? 'hold expired' : null,
          holdId: hold.id,
          postings: [
            {
              source: accounts.held(hold.userId, hold.asset),
              destination: accounts.available(hold.userId, hold.asset),
              asset: hold.asset,
              amount: remaining,
            },
          ],
        }),
      );
      if (result.type !== 'Transaction') throw new Error(`releasing hold ${hold.id} was refused: ${result.type}`);
      return { result, hold: await this.update(tx, hold.id, { released: hold.released + remaining, status }) };
    });
  }

  /** Releases holds past their expiry (oldest first, at most `limit`); returns how many. */
  async expireDue(em: EntityManager, limit = 100): Promise<number> {
    const due = await em
      .getConnection()
      .execute<{ id: string }[]>(
        `select id from ledger.hold where status = 'ACTIVE' and expires_at <= now() order by expires_at limit ?`,
        [limit],
      );
    let expired = 0;
    for (const { id } of due) {
      try {
        await this.release(em, id, 'system:hold-expiry', 'EXPIRED');
        expired++;
      } catch (err) {
        if ((err as { code?: string }).code !== 'CONFLICT') throw err; // settled meanwhile
      }
    }
    return expired;
  }

  async byId(em: EntityManager, id: string): Promise<HoldRecord | null> {
    const rows = await em
      .getConnection()
      .execute<HoldRow[]>('select * from ledger.hold where id = ?', [id], 'all', em.getTransactionContext());
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async byReference(em: EntityManager, reference: string): Promise<HoldRecord | null> {
    const rows = await em
      .getConnection()
      .execute<HoldRow[]>(
        'select * from ledger.hold where reference = ?',
        [reference],
        'all',
        em.getTransactionContext(),
      );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  private async lock(tx: EntityManager, id: string): Promise<HoldRecord> {
    const rows = await tx
      .getConnection()
      .execute<HoldRow[]>('select * from ledger.hold where id = ? for update', [id], 'all', tx.getTransactionContext());
    if (!rows[0]) throw notFound('Hold', id);
    const hold = toRecord(rows[0]);
    if (hold.status !== 'ACTIVE') throw conflict(`hold ${id} is ${hold.status}`, { holdId: id, status: hold.status });
    return hold;
  }

  /** Writes the hold's new totals and status; returns the row as written. */
  private async update(
    tx: EntityManager,
    id: string,
    change: { captured?: bigint; released?: bigint; status: HoldStatus },
  ): Promise<HoldRecord> {
    const [row] = await tx
      .getConnection()
      .execute<HoldRow[]>(
        'update ledger.hold set captured = coalesce(?, captured), released = coalesce(?, released), status = ?, updated_at = now() where id = ? returning *',
        [change.captured?.toString() ?? null, change.released?.toString() ?? null, change.status, id],
        'all',
        tx.getTransactionContext(),
      );
    return toRecord(row!);
  }
}

/** Two more tries after a race the database detected (serialization failure, deadlock). */
const TRANSACTION_RACES = raceRetryPolicy(2, isRetryable);

/**
 * Runs `work` in a database transaction, again (up to 3 times) when it lost a race the database detected.
 * Inside the caller's transaction (an event consumer's), it runs there and the caller retries the whole.
 */
export async function retrying<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  if (em.isInTransaction()) return work(em);
  return TRANSACTION_RACES.execute(() => em.fork().transactional(work));
}

function toRecord(r: HoldRow): HoldRecord {
  return {
    id: r.id,
    userId: r.user_id,
    asset: r.asset,
    kind: r.kind,
    amount: BigInt(r.amount),
    captured: BigInt(r.captured),
    released: BigInt(r.released),
    status: r.status,
    reference: r.reference,
    expiresAt: r.expires_at === null ? null : timestamp(r.expires_at),
  };
}
