import { Migration } from '@mikro-orm/migrations';
import { ledgerFunctionsSql } from '../../subgraphs/ledger/sql/functions.js';

/**
 * Reorg after spend. A deposit reorged away after the user spent it leaves a debt: the shortfall is posted
 * from `receivable:<userId>:<ASSET>` (a new account kind, so the address grammar changes), whose negative
 * balance is what the user owes; their next deposits pay it back first.
 * withdrawal_freeze is the ledger's copy of the wallet's freezes (wallet.withdrawals.frozen / unfrozen), one
 * row per reorged deposit: a user with any active freeze, or any debt, cannot send money out. A lift that
 * arrives before its freeze (redelivery) is kept as a lifted row, so the late freeze cannot re-activate it.
 */
export class Migration20261207010000_debts_and_freezes extends Migration {
  override async up(): Promise<void> {
    for (const sql of ledgerFunctionsSql(['valid_account', 'account_asset'])) this.addSql(sql);
    this.addSql(`create table ledger.withdrawal_freeze (
      user_id text not null,
      deposit_id text not null,
      reason text null,
      frozen_at timestamptz null,
      lifted_at timestamptz null,
      primary key (user_id, deposit_id)
    )`);
    // Staff list open debts (ledgerDebts) without reading every user's balance rows.
    this.addSql(`create index balance_receivable_idx on ledger.balance (account) where account like 'receivable:%'`);
  }
}
