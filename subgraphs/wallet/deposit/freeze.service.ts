import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { badInput, forbidden, notFound, unauthenticated } from '../../../platform/errors.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../../platform/graphql/keyset-cursor.js';
import { isId, newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { WithdrawalFreezeEvents, type WithdrawalsUnfrozenPayload } from './deposit.events.js';

const SOURCE = 'wallet';
const MAX_PAGE = 100;
const MAX_NOTE = 500;
/** The cursor's time: UTC to the microsecond, whatever the server's TimeZone and DateStyle. */
const FREEZE_ID = /^wfz_[0-9a-z]{1,40}$/;

/** An active freeze: the user may not withdraw. */
export interface ActiveFreeze {
  userId: string;
  reason: string;
  depositId: string | null;
  frozenAt: Date;
}

/** A freeze that staff lifted, kept on record. */
export interface LiftedFreeze extends ActiveFreeze {
  id: string;
  liftedAt: Date;
  liftedBy: string;
  note: string;
}

interface FreezeRow {
  id: string;
  user_id: string;
  reason: string;
  deposit_id: string | null;
  frozen_at: Date | string;
  /** frozen_at in UTC to the microsecond: the keyset cursor (a Date keeps milliseconds only). */
  frozen_key: string;
}

const activeOf = (r: Omit<FreezeRow, 'frozen_key' | 'id'>): ActiveFreeze => ({
  userId: r.user_id,
  reason: r.reason,
  depositId: r.deposit_id,
  frozenAt: new Date(r.frozen_at),
});

/**
 * Withdrawal freezes as staff handle them. The chain watcher freezes a user's withdrawals when a credited deposit
 * of theirs is reorged away (deposit.ingest.ts), one freeze per such deposit: the user stays frozen while any
 * remains, and lifting one leaves the others (the ledger keeps its own copy from the events, per deposit). After the reversal has been settled (or the shortfall recovered
 * with `adjustBalance`), FINANCE or SUPERADMIN lifts the freeze with a note. The lift is one transaction: the
 * active row moves to `withdrawal_freeze_lift` with who, when and why, and `wallet.withdrawals.unfrozen` is
 * written to the outbox.
 */
export class WithdrawalFreezeService {
  constructor(private readonly log: Logger) {}

  /** Active freezes, newest first; staff only. `after` is the endCursor of the previous page. */
  async page(
    em: EntityManager,
    viewer: Viewer,
    first: number,
    after: string | null | undefined,
  ): Promise<{ edges: { cursor: string; node: ActiveFreeze }[]; hasNextPage: boolean }> {
    assertStaff(viewer);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw badInput(`first must be 1..${MAX_PAGE}`, { field: 'first' });
    const cursor = after == null ? null : decodeKeysetCursor(after, FREEZE_ID);
    const rows = await em.execute<FreezeRow[]>(
      `select id, user_id, reason, deposit_id, frozen_at, to_char(frozen_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as frozen_key
       from wallet.withdrawal_freeze
       ${cursor ? 'where (frozen_at, id) < (?::timestamptz, ?)' : ''}
       order by frozen_at desc, id desc limit ?`,
      cursor ? [cursor.time, cursor.id, first + 1] : [first + 1],
    );
    const edges = rows
      .slice(0, first)
      .map((r) => ({ cursor: encodeKeysetCursor(r.frozen_key, r.id), node: activeOf(r) }));
    return { edges, hasNextPage: rows.length > first };
  }

  /**
   * Lifts one freeze of a user (FINANCE or SUPERADMIN, never on themselves): the one of `depositId`, or the only
   * one when the user has a single freeze (BAD_USER_INPUT when several: name the deposit). NOT_FOUND when none.
   */
  async lift(
    em: EntityManager,
    viewer: Viewer,
    userId: string,
    note: string,
    depositId?: string | null,
  ): Promise<LiftedFreeze> {
    if (!viewer.userId) throw unauthenticated();
    if (!hasRole(viewer, 'FINANCE', 'SUPERADMIN'))
      throw forbidden('Lifting a withdrawal freeze takes the FINANCE or SUPERADMIN role');
    if (!isId('usr', userId)) throw badInput('userId is not a user id', { field: 'userId' });
    if (userId === viewer.userId) throw forbidden('Staff cannot lift a freeze on their own withdrawals');
    const text = note.trim();
    if (text.length === 0 || text.length > MAX_NOTE)
      throw badInput(`note must be 1..${MAX_NOTE} characters: say why the freeze can go`, { field: 'note' });
    const liftedBy = viewer.userId;
    const deposit = depositId?.trim() || null;
    return em.transactional(async (tx) => {
      const id = newId('wfl');
      const active = await tx.execute<{ id: string }[]>(
        `select id from wallet.withdrawal_freeze where user_id = ? ${deposit ? 'and deposit_id = ?' : ''} order by frozen_at for update`,
        deposit ? [userId, deposit] : [userId],
      );
      if (active.length > 1)
        throw badInput('This user has several withdrawal freezes: give the depositId of the one to lift', {
          field: 'depositId',
          freezes: active.length,
        });
      // One statement moves the row, so frozen_at keeps its microseconds and no other lift can slip between.
      const [lifted] = active.length
        ? await tx.execute<(Omit<FreezeRow, 'frozen_key' | 'id'> & { lifted_at: Date | string })[]>(
            `with active as (delete from wallet.withdrawal_freeze where id = ? returning user_id, reason, deposit_id, frozen_at)
             insert into wallet.withdrawal_freeze_lift (id, user_id, reason, deposit_id, frozen_at, lifted_by, note)
               select ?, user_id, reason, deposit_id, frozen_at, ?, ? from active
             returning user_id, reason, deposit_id, frozen_at, lifted_at`,
            [active[0]!.id, id, liftedBy, text],
          )
        : [];
      if (!lifted) throw notFound('Active withdrawal freeze for this user', userId);
      recordEvent<WithdrawalsUnfrozenPayload>(tx, WithdrawalFreezeEvents.unfrozen, SOURCE, {
        userId,
        depositId: lifted.deposit_id,
        liftedBy,
        note: text,
      });
      this.log.warn(
        { userId, depositId: lifted.deposit_id, liftedBy, liftId: id },
        'withdrawal freeze lifted by staff',
      );
      return { ...activeOf(lifted), id, liftedAt: new Date(lifted.lifted_at), liftedBy, note: text };
    });
  }
}

function assertStaff(viewer: Viewer): void {
  if (!viewer.userId && !isStaff(viewer)) throw unauthenticated();
  if (!isStaff(viewer)) throw forbidden('Only staff can list withdrawal freezes');
}
