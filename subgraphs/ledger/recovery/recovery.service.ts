import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../platform/logger.js';
import { ASSETS } from '../../../platform/money/assets.js';
import { accounts } from '../core/accounts.js';
import type { Ledger } from '../core/ledger.js';
import { draft } from '../core/ledger.types.js';
import { requestHash } from '../core/request-hash.js';
import type { DebtService } from '../debt/debt.service.js';

/** identity.user.recovered: `userId` (the old account) signs in again; `retiredUserId` (the new one) never will. */
export interface AccountRecovered {
  eventId: string;
  recoveryId: string;
  userId: string;
  retiredUserId: string;
}

export type RecoveryMoveOutcome = 'MOVED' | 'KEPT_HELD' | 'KEPT_DEBT';

export interface RecoveryMove {
  asset: string;
  outcome: RecoveryMoveOutcome;
  amount: bigint;
  transactionId: string | null;
}

function run<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

/**
 * Moves what a retired account can spend to the account it was recovered into, so money sent to the new account
 * before the recovery is not stranded on a user id nobody can sign in as. Per asset, inside the caller's (inbox)
 * transaction: the retired user's whole `available` balance → the old user's `available`, one ACCOUNT_RECOVERY
 * transaction (no fee, reference `recovery:<recoveryId>:<asset>`, idempotency key `<eventId>:<asset>`).
 * An asset with `held` funds (a withdrawal or order in flight) or a debt is left untouched (its row says KEPT_HELD
 * or KEPT_DEBT) and an admin alert is logged: staff settle it by hand. Every asset with a balance gets a row in
 * ledger.account_recovery_move; a second run for the same recovery finds its rows and moves nothing.
 */
export class RecoveryService {
  constructor(
    private readonly ledger: Ledger,
    private readonly debts: DebtService,
  ) {}

  async moveBalances(tx: EntityManager, r: AccountRecovered, log: Logger): Promise<RecoveryMove[]> {
    if (r.userId === r.retiredUserId) return [];
    const moves: RecoveryMove[] = [];
    for (const { symbol: asset } of ASSETS) {
      const [done] = await run<{ n: string }>(
        tx,
        'select count(*) as n from ledger.account_recovery_move where recovery_id = ? and asset = ?',
        [r.recoveryId, asset],
      );
      if (done && Number(done.n) > 0) continue;
      // The same locks as a deposit credit or reversal: nothing spends or repays in between.
      await this.debts.lockDebt(tx, r.retiredUserId, asset);
      const available = await this.debts.lockAvailable(tx, r.retiredUserId, asset);
      const [heldRow] = await run<{ amount: string | null }>(
        tx,
        'select sum(amount) as amount from ledger.balance where account = ?',
        [accounts.held(r.retiredUserId, asset)],
      );
      const held = BigInt(heldRow?.amount ?? '0');
      const owed = await this.debts.owed(tx, r.retiredUserId, asset);
      if (available === 0n && held === 0n && owed === 0n) continue;
      let move: RecoveryMove;
      if (held > 0n || owed > 0n) {
        move = { asset, outcome: held > 0n ? 'KEPT_HELD' : 'KEPT_DEBT', amount: available, transactionId: null };
        log.error(
          { alert: 'ACCOUNT_RECOVERY_BALANCE_KEPT', ...r, asset, available, held, owed },
          'account recovery: the retired account has held funds or a debt in this asset; nothing moved, staff must settle it',
        );
      } else {
        const result = await this.ledger.commitWithin(
          tx,
          draft({
            kind: 'ACCOUNT_RECOVERY',
            asset,
            amount: available,
            userId: r.retiredUserId,
            counterpartyId: r.userId,
            reference: `recovery:${r.recoveryId}:${asset}`,
            actor: 'system:ledger-account-recovery',
            reason: 'account recovery: the retired account’s balance moves to the recovered account',
            postings: [
              {
                source: accounts.available(r.retiredUserId, asset),
                destination: accounts.available(r.userId, asset),
                asset,
                amount: available,
              },
            ],
            idempotency: {
              scope: `account-recovery:${r.retiredUserId}`,
              key: `${r.eventId}:${asset}`,
              requestHash: requestHash('accountRecovery', {
                recoveryId: r.recoveryId,
                userId: r.userId,
                retiredUserId: r.retiredUserId,
                asset,
                amount: available,
              }),
            },
          }),
        );
        if (result.type !== 'Transaction')
          throw new Error(`account recovery ${r.recoveryId}: ${asset} move refused (${result.type})`);
        move = { asset, outcome: 'MOVED', amount: available, transactionId: result.transaction.id };
        log.info(
          { ...r, asset, amount: available, transactionId: move.transactionId },
          'account recovery: balance moved',
        );
      }
      await run(
        tx,
        `insert into ledger.account_recovery_move
           (recovery_id, asset, retired_user_id, user_id, outcome, amount, transaction_id, event_id)
         values (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          r.recoveryId,
          asset,
          r.retiredUserId,
          r.userId,
          move.outcome,
          move.amount.toString(),
          move.transactionId,
          r.eventId,
        ],
      );
      moves.push(move);
    }
    return moves;
  }
}
