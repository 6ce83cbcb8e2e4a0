import type { EntityManager } from '@mikro-orm/postgresql';
import { isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { badInput, forbidden, unauthenticated } from '../../../platform/errors.js';
import { isId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { isNetwork, type Network } from '../../../chains/network.js';
import { Deposit, WithdrawalFreeze } from './deposit.entity.js';
import { DepositEvents, type DepositCreditedPayload } from './deposit.events.js';
import { DEPOSIT_COLUMNS, payloadOf, type DepositRow } from './deposit.ingest.js';
import { normalizeTxHash } from '../../../chains/tx-hash.js';

const SOURCE = 'wallet';
const MAX_PAGE = 100;

/** What the ledger says about a transaction it committed (`ledger.transaction.committed`), of the kinds about deposits. */
export interface LedgerCommitted {
  transactionId: string;
  /** The consumer passes only these; other kinds are not about deposits. */
  kind: 'DEPOSIT' | 'REVERSAL';
  asset: string;
  amount: string;
  reference: string | null;
}

/** The on-chain output a ledger reference names: `deposit:<network>:<tx hash>:<output index>`. */
export function parseDepositReference(
  reference: string | null,
): { network: string; txHash: string; outputIndex: number } | null {
  if (!reference?.startsWith('deposit:')) return null;
  const parts = reference.split(':');
  const index = parts.at(-1) ?? '';
  if (parts.length < 4 || !/^\d{1,9}$/.test(index)) return null;
  const network = parts[1]!;
  if (!isNetwork(network)) return null;
  return { network, txHash: parts.slice(2, -1).join(':'), outputIndex: Number(index) };
}

export type LinkOutcome =
  | { linked: 'credited'; deposit: DepositRow; confirmedAt: Date }
  | { linked: 'late-credit' | 'reversal' | 'already'; deposit: DepositRow }
  | { linked: 'none' };

/**
 * Deposits as users and staff see them, and the link to the ledger: the ledger's DEPOSIT transaction moves a
 * deposit to CREDITED, its REVERSAL (after a reorg) is recorded on the deposit.
 */
export class DepositService {
  constructor(private readonly log: Logger) {}

  /** Deposit references and `deposit(id)`: one the viewer may not see resolves to null. */
  async visibleByIds(em: EntityManager, viewer: Viewer, ids: readonly string[]): Promise<Deposit[]> {
    const wanted = ids.filter((id) => isId('dep', id));
    if (!wanted.length || (!viewer.userId && !isStaff(viewer))) return [];
    const rows = await em.find(Deposit, { id: { $in: wanted } });
    return rows.filter((d) => d.userId === viewer.userId || isStaff(viewer));
  }

  /**
   * The outputs of one on-chain transaction that reached our addresses, by output index: the owner's own
   * (staff: all). Someone else's deposit is simply not in the list; a malformed hash is BAD_USER_INPUT.
   */
  async byTxHash(em: EntityManager, viewer: Viewer, network: Network, txHash: string): Promise<Deposit[]> {
    if (!viewer.userId && !isStaff(viewer)) throw unauthenticated();
    const normalized = normalizeTxHash(network, txHash);
    if (!normalized) throw badInput(`txHash is not a ${network} transaction hash`, { field: 'txHash' });
    const rows = await em.find(Deposit, { network, txHash: normalized }, { orderBy: { outputIndex: 'asc' } });
    return rows.filter((d) => d.userId === viewer.userId || isStaff(viewer));
  }

  assertCanSeeUser(viewer: Viewer, userId: string): void {
    if (!viewer.userId && !isStaff(viewer)) throw unauthenticated();
    if (viewer.userId !== userId && !isStaff(viewer))
      throw forbidden("Only the user and staff can see this user's deposits");
  }

  /** A user's deposits, newest first (ids are time-ordered); `after` is the last id of the previous page. */
  async page(
    em: EntityManager,
    viewer: Viewer,
    userId: string,
    first: number,
    after: string | null | undefined,
  ): Promise<{ nodes: Deposit[]; hasNextPage: boolean }> {
    this.assertCanSeeUser(viewer, userId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw badInput(`first must be 1..${MAX_PAGE}`, { field: 'first' });
    const cursor = after == null ? null : decodeDepositCursor(after);
    const rows = await em.find(Deposit, cursor ? { userId, id: { $lt: cursor } } : { userId }, {
      orderBy: { id: 'desc' },
      limit: first + 1,
    });
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** Which of these users may not withdraw (a credited deposit of theirs was reorged away). */
  async frozenUsers(em: EntityManager, userIds: readonly string[]): Promise<Set<string>> {
    const rows = await em.find(WithdrawalFreeze, { userId: { $in: [...userIds] } });
    return new Set(rows.map((r) => r.userId));
  }

  /**
   * Applies one ledger commit inside the consumer's inbox transaction. A DEPOSIT transaction whose reference
   * names a deposit credits it (CONFIRMING → CREDITED, event) or, when a reorg came first, is only linked;
   * a REVERSAL of a deposit is linked as its reversal (other kinds never reach it: the consumer skips them).
   */
  async applyLedgerCommit(tx: EntityManager, committed: LedgerCommitted): Promise<LinkOutcome> {
    const key = parseDepositReference(committed.reference);
    if (!key) return { linked: 'none' };
    const [row] = await tx.execute<(DepositRow & { reversal_transaction_id: string | null })[]>(
      `select ${DEPOSIT_COLUMNS}, reversal_transaction_id
       from wallet.deposit where network = ? and tx_hash = ? and output_index = ? for update`,
      [key.network, key.txHash, key.outputIndex],
    );
    if (!row) {
      this.log.error(
        { transactionId: committed.transactionId, reference: committed.reference },
        'ledger posted a deposit this wallet does not know',
      );
      return { linked: 'none' };
    }
    if (row.asset !== committed.asset || row.amount !== committed.amount) {
      this.log.error(
        {
          depositId: row.id,
          transactionId: committed.transactionId,
          deposit: { asset: row.asset, amount: row.amount },
          ledger: { asset: committed.asset, amount: committed.amount },
        },
        'ADMIN ALERT: the ledger posted a different asset or amount than the deposit: not linked',
      );
      return { linked: 'none' };
    }
    if (committed.kind === 'REVERSAL') {
      if (row.reversal_transaction_id === committed.transactionId) return { linked: 'already', deposit: row };
      await tx.execute(`update wallet.deposit set reversal_transaction_id = ?, updated_at = now() where id = ?`, [
        committed.transactionId,
        row.id,
      ]);
      this.log.warn(
        { depositId: row.id, userId: row.user_id, reversalTransactionId: committed.transactionId },
        'deposit credit reversed by the ledger',
      );
      return { linked: 'reversal', deposit: row };
    }
    if (row.transaction_id === committed.transactionId) return { linked: 'already', deposit: row };
    if (row.status === 'CONFIRMING') {
      await tx.execute(
        `update wallet.deposit set status = 'CREDITED', transaction_id = ?, credited_at = now(), updated_at = now() where id = ?`,
        [committed.transactionId, row.id],
      );
      row.status = 'CREDITED';
      row.transaction_id = committed.transactionId;
      recordEvent<DepositCreditedPayload>(tx, DepositEvents.credited, SOURCE, {
        ...payloadOf(row),
        transactionId: committed.transactionId,
      });
      return {
        linked: 'credited',
        deposit: row,
        confirmedAt: row.confirmed_at === null ? new Date() : new Date(row.confirmed_at),
      };
    }
    // Reorged after its credit was requested: the credit landed anyway and the ledger reverses it.
    await tx.execute(
      `update wallet.deposit set transaction_id = ?, credited_at = now(), updated_at = now() where id = ?`,
      [committed.transactionId, row.id],
    );
    this.log.warn(
      { depositId: row.id, status: row.status, transactionId: committed.transactionId },
      'credit landed for a deposit that is no longer pending: linked only',
    );
    return { linked: 'late-credit', deposit: row };
  }
}

export function encodeDepositCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

export function decodeDepositCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isId('dep', id)) throw badInput('after is not a cursor from this connection', { field: 'after' });
  return id;
}
