import type { EntityManager } from '@mikro-orm/postgresql';
import { isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput, DomainError, ErrorCode, forbidden, unauthenticated } from '../../../platform/errors.js';
import { ASSETS } from '../../../platform/money/assets.js';
import { accounts } from '../core/accounts.js';

/** extensions.code when a user may not send money out (transfer, withdrawal hold). */
export const ACCOUNT_FROZEN = ErrorCode.ACCOUNT_FROZEN;
export type SendRestriction = 'WITHDRAWAL_FREEZE' | 'DEBT';

const MAX_PAGE = 100;

/** A user's debt in one asset: what `receivable:<userId>:<asset>` is below zero. */
export interface DebtRecord {
  userId: string;
  asset: string;
  /** Minor units, > 0. */
  owed: bigint;
}

/** The ledger's copy of a wallet freeze event (wallet.withdrawals.frozen / unfrozen). */
export interface FreezeFact {
  userId: string;
  /** The reorged deposit that froze the user ('' when the wallet did not name one). */
  depositId: string;
  reason: string | null;
  at: Date;
}

function run<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

/**
 * Debts and the freezes that stop a user sending money out.
 * - A debt is a negative `receivable:<userId>:<ASSET>` balance: a reorged deposit the user had already spent
 *   (PostingsService.reverseDeposit). Their next deposits of that asset pay it back first, in the same
 *   transaction as the credit (PostingsService.creditDeposit). Both paths hold `lockDebt` for the user and
 *   asset, so two credits cannot both repay the same debt.
 * - Freezes are the wallet's, learned from its events, one row per reorged deposit: lifting one leaves the others.
 * While a user has any active freeze or any debt, transfers out and withdrawal holds are refused (ACCOUNT_FROZEN).
 */
export class DebtService {
  /** Serializes debt changes of one user and asset until the caller's transaction ends. */
  async lockDebt(tx: EntityManager, userId: string, asset: string): Promise<void> {
    await run(tx, 'select pg_advisory_xact_lock(hashtext(?))', [`ledger.debt:${userId}:${asset}`]);
  }

  /** What the user owes in `asset` (minor units, 0 when nothing). */
  async owed(tx: EntityManager, userId: string, asset: string): Promise<bigint> {
    const [row] = await run<{ owed: string | null }>(
      tx,
      'select -sum(amount) as owed from ledger.balance where account = ?',
      [accounts.receivable(userId, asset)],
    );
    const owed = BigInt(row?.owed ?? '0');
    return owed > 0n ? owed : 0n;
  }

  /** The user's available balance, its row locked until the caller's transaction ends (0 when it has none). */
  async lockAvailable(tx: EntityManager, userId: string, asset: string): Promise<bigint> {
    const [row] = await run<{ amount: string }>(
      tx,
      'select amount from ledger.balance where account = ? and shard = 0 for update',
      [accounts.available(userId, asset)],
    );
    return BigInt(row?.amount ?? '0');
  }

  /** Why the user may not send money out, or null. */
  async restriction(em: EntityManager, userId: string): Promise<SendRestriction | null> {
    const receivables = ASSETS.map((a) => accounts.receivable(userId, a.symbol));
    const [row] = await run<{ frozen: boolean; owes: boolean }>(
      em,
      `select exists (select 1 from ledger.withdrawal_freeze where user_id = ? and lifted_at is null) as frozen,
              exists (select 1 from ledger.balance where account in (?) group by account having sum(amount) < 0) as owes`,
      [userId, receivables],
    );
    if (row?.frozen) return 'WITHDRAWAL_FREEZE';
    if (row?.owes) return 'DEBT';
    return null;
  }

  /** Throws ACCOUNT_FROZEN when the user may not send money out. */
  async assertCanSend(em: EntityManager, userId: string): Promise<void> {
    const reason = await this.restriction(em, userId);
    if (reason === 'WITHDRAWAL_FREEZE')
      throw new DomainError(
        ACCOUNT_FROZEN,
        'Your account is frozen after a deposit was reversed by the blockchain: sending is blocked until staff lift the freeze',
        { reason },
      );
    if (reason === 'DEBT')
      throw new DomainError(
        ACCOUNT_FROZEN,
        'You owe the platform for a deposit the blockchain reversed: sending is blocked until your next deposits repay it',
        { reason },
      );
  }

  async recordFreeze(tx: EntityManager, f: FreezeFact): Promise<void> {
    await run(
      tx,
      `insert into ledger.withdrawal_freeze (user_id, deposit_id, reason, frozen_at) values (?, ?, ?, ?) on conflict (user_id, deposit_id) do nothing`,
      [f.userId, f.depositId, f.reason, f.at],
    );
  }

  /** Lifts one freeze; a lift that arrives first is kept, so its late freeze stays lifted. */
  async recordLift(tx: EntityManager, f: FreezeFact): Promise<void> {
    await run(
      tx,
      `insert into ledger.withdrawal_freeze (user_id, deposit_id, reason, lifted_at) values (?, ?, ?, ?)
       on conflict (user_id, deposit_id) do update set lifted_at = coalesce(ledger.withdrawal_freeze.lifted_at, excluded.lifted_at)`,
      [f.userId, f.depositId, f.reason, f.at],
    );
  }

  /** Staff: every open debt, by account; `after` is the endCursor of the previous page. */
  async page(
    em: EntityManager,
    viewer: Viewer,
    first: number,
    after: string | null | undefined,
  ): Promise<{ edges: { cursor: string; node: DebtRecord }[]; hasNextPage: boolean }> {
    if (!viewer.userId) throw unauthenticated();
    if (!isStaff(viewer)) throw forbidden('Only staff can list debts');
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw badInput(`first must be 1..${MAX_PAGE}`, { field: 'first' });
    const cursor = after == null ? null : decodeCursor(after);
    const rows = await run<{ account: string; asset: string; owed: string }>(
      em,
      `select account, asset, -sum(amount) as owed from ledger.balance
       where account like 'receivable:%' ${cursor ? 'and account > ?' : ''}
       group by account, asset having sum(amount) < 0 order by account limit ?`,
      cursor ? [cursor, first + 1] : [first + 1],
    );
    const edges = rows.slice(0, first).map((r) => ({
      cursor: Buffer.from(r.account).toString('base64url'),
      node: { userId: r.account.split(':')[1]!, asset: r.asset, owed: BigInt(r.owed) },
    }));
    return { edges, hasNextPage: rows.length > first };
  }
}

function decodeCursor(cursor: string): string {
  const account = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^receivable:[A-Za-z0-9_-]+:[A-Z][A-Z_]*$/.test(account))
    throw badInput('after is not a cursor from this connection', { field: 'after' });
  return account;
}
