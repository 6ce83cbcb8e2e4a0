import { Migration } from '@mikro-orm/migrations';

const KINDS = `'DEPOSIT', 'WITHDRAWAL', 'TRANSFER', 'BUY', 'SELL', 'SWAP', 'FEE', 'REVERSAL', 'ADJUSTMENT', 'ACCOUNT_RECOVERY'`;

/**
 * Account recovery (identity.user.recovered): the ACCOUNT_RECOVERY transaction kind, and one row per recovery and
 * asset saying what the ledger did with the retired account's balance (MOVED with its transaction, or left
 * where it is because of held funds or a debt).
 */
export class Migration20261207080000_account_recovery extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table ledger.transaction drop constraint transaction_kind_check`);
    this.addSql(`alter table ledger.transaction add constraint transaction_kind_check check (kind in (${KINDS}))`);
    this.addSql(`
      create table ledger.account_recovery_move (
        recovery_id text not null,
        asset text not null,
        retired_user_id text not null,
        user_id text not null,
        outcome text not null check (outcome in ('MOVED', 'KEPT_HELD', 'KEPT_DEBT')),
        amount numeric(78,0) not null check (amount >= 0),
        transaction_id text references ledger.transaction (id),
        event_id text not null,
        created_at timestamptz not null default now(),
        primary key (recovery_id, asset),
        constraint account_recovery_move_has_transaction check ((outcome = 'MOVED') = (transaction_id is not null))
      )`);
  }
}
