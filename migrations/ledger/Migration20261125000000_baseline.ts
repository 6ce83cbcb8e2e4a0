import { outboxTablesSql } from '../../platform/bus/outbox.entity.js';
import { ledgerFunctionsSql } from '../../subgraphs/ledger/sql/functions.js';
import { Baseline } from '../baseline.js';

const KINDS = `'DEPOSIT', 'WITHDRAWAL', 'TRANSFER', 'BUY', 'SELL', 'SWAP', 'FEE', 'REVERSAL', 'ADJUSTMENT'`;

/**
 * The ledger's schema: append-only transactions and postings, cached balances, holds, idempotency records, the
 * hash chain and the user directory. The SQL functions (commit_batch, seal_chain, …) are not written here: each
 * is one file in subgraphs/ledger/sql/, loaded as it stands. Design notes: subgraphs/ledger/README.md.
 *
 * Squashes the six migrations of 2026-11-22..24 (init, BRIN on created_at, two commit_batch rewrites, the
 * idempotency BRIN, generic plans). A database that ran them gets its functions re-created from the files:
 * commit_batch as last defined there, plan_cache_mode now inside its definition.
 */
export class Migration20261125000000_baseline extends Baseline {
  protected readonly schemaName = 'ledger';
  protected readonly replaces = [
    'Migration20261122000000_init',
    'Migration20261122020000_brin_created_at',
    'Migration20261122030000_commit_batch_fixed_cost',
    'Migration20261122040000_commit_batch_event_from_item',
    'Migration20261124000000_idempotency_retention',
    'Migration20261124010000_commit_batch_generic_plans',
  ];

  protected fresh(): string[] {
    return [
      ...outboxTablesSql('ledger'),
      // A NOTIFY per committing transaction serializes every commit behind one lock (PostgreSQL takes a
      // database-wide lock in PreCommit_Notify until the commit is flushed): half the throughput here. The
      // ledger wakes the relay itself, at most every few milliseconds (subgraphs/ledger/core/outbox-waker.ts).
      `drop trigger outbox_notify on "ledger"."outbox"`,
      // Functions next: the posting table's CHECK constraints and the append-only triggers call them.
      ...ledgerFunctionsSql(),

      // Cached balances. System accounts are striped over 64 rows (shard) so that the fee account, which
      // every transfer credits, is not one hot row; a user's account is always shard 0. A row is created
      // only for an account a posting names (postings check the address grammar and the asset), so the
      // checks here are the cheap ones re-evaluated on every update.
      `create table ledger.balance (
        account text not null,
        shard smallint not null default 0,
        asset text not null,
        user_id text generated always as (case when account like 'user:%' then split_part(account, ':', 2) end) stored,
        amount numeric(78,0) not null default 0,
        primary key (account, shard),
        constraint balance_shard_range check (shard between 0 and 63 and (user_id is null or shard = 0)),
        constraint balance_user_non_negative check (user_id is null or amount >= 0)
      ) with (fillfactor = 70)`,
      `create index balance_user_idx on ledger.balance (user_id) where user_id is not null`,

      // Transactions. (xid, seq) is the commit-safe order: rows are listed and sealed in that order only below
      // ledger.settled_horizon(), which is what makes history pages and chain sealing gap-free.
      `create sequence ledger.transaction_seq`,
      `create table ledger.transaction (
        id text primary key,
        seq bigint not null default nextval('ledger.transaction_seq'),
        xid xid8 not null default pg_current_xact_id(),
        kind text not null check (kind in (${KINDS})),
        asset text not null,
        amount numeric(78,0) not null check (amount >= 0),
        fee numeric(78,0) not null default 0 check (fee >= 0),
        user_id text null,
        counterparty_id text null,
        reference text null,
        note text null,
        actor text null,
        reason text null,
        reverses text null references ledger.transaction (id),
        hold_id text null,
        created_at timestamptz not null default now(),
        content_hash bytea not null
      )`,
      `create index transaction_order_idx on ledger.transaction (xid, seq)`,
      `create index transaction_user_idx on ledger.transaction (user_id, xid, seq)`,
      `create index transaction_counterparty_idx on ledger.transaction (counterparty_id, xid, seq) where counterparty_id is not null`,
      // created_at grows with insertion order: a BRIN index serves the staff date-range search for a fraction of a
      // B-tree's cost on the posting path.
      `create index transaction_created_at_brin on ledger.transaction using brin (created_at)`,
      `create unique index transaction_deposit_reference_idx on ledger.transaction (reference) where kind = 'DEPOSIT'`,
      `create unique index transaction_reverses_idx on ledger.transaction (reverses) where reverses is not null`,
      `create index transaction_hold_idx on ledger.transaction (hold_id) where hold_id is not null`,

      // Postings are written only by ledger.commit_batch, with their transaction, and never change; no
      // foreign key (a per-row check on the hot path): verifyLedger reports any posting without its transaction.
      `create table ledger.posting (
        transaction_id text not null,
        idx smallint not null,
        source text not null,
        destination text not null,
        asset text not null,
        amount numeric(78,0) not null,
        primary key (transaction_id, idx),
        constraint posting_amount_positive check (amount > 0),
        constraint posting_distinct_accounts check (source <> destination),
        constraint posting_accounts_valid check (ledger.valid_account(source) and ledger.valid_account(destination)),
        constraint posting_asset_matches check (ledger.account_asset(source) = asset and ledger.account_asset(destination) = asset)
      )`,

      `create table ledger.chain (
        position bigint primary key,
        transaction_id text not null unique references ledger.transaction (id),
        prev_hash bytea not null,
        hash bytea not null,
        sealed_at timestamptz not null default now()
      )`,

      ...['transaction', 'posting', 'chain'].flatMap((table) => [
        `create trigger ${table}_append_only before update or delete on ledger.${table} for each row execute function ledger.refuse_change()`,
        `create trigger ${table}_no_truncate before truncate on ledger.${table} for each statement execute function ledger.refuse_change()`,
      ]),

      `create table ledger.idempotency (
        scope text not null,
        key text not null,
        request_hash bytea not null,
        outcome text not null,
        transaction_id text null,
        result jsonb null,
        created_at timestamptz not null default now(),
        primary key (scope, key)
      )`,
      // Keys are pruned after LEDGER_IDEMPOTENCY_RETENTION_DAYS (core/idempotency-retention.ts); BRIN finds the old ones.
      `create index idempotency_created_at_brin on ledger.idempotency using brin (created_at)`,

      `create table ledger.daily_usage (
        user_id text not null,
        asset text not null,
        day date not null,
        amount numeric(78,0) not null,
        cap numeric(78,0) not null,
        primary key (user_id, asset, day),
        constraint daily_usage_within_cap check (amount <= cap)
      )`,

      `create table ledger.hold (
        id text primary key,
        user_id text not null,
        asset text not null,
        kind text not null check (kind in (${KINDS})),
        amount numeric(78,0) not null check (amount > 0),
        captured numeric(78,0) not null default 0 check (captured >= 0),
        released numeric(78,0) not null default 0 check (released >= 0),
        status text not null check (status in ('ACTIVE', 'CAPTURED', 'RELEASED', 'EXPIRED')),
        reference text null,
        expires_at timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint hold_settled_within_amount check (captured + released <= amount),
        constraint hold_active_has_remainder check ((status = 'ACTIVE') = (captured + released < amount))
      )`,
      `create unique index hold_reference_idx on ledger.hold (reference) where reference is not null`,
      `create index hold_expiry_idx on ledger.hold (expires_at) where status = 'ACTIVE' and expires_at is not null`,
      `create index hold_user_idx on ledger.hold (user_id, asset) where status = 'ACTIVE'`,

      // Who can receive money, learned from identity's events (the ledger never reads identity's tables).
      `create table ledger.user_directory (
        user_id text primary key,
        username text null,
        telegram_id text null,
        seen_at timestamptz not null
      )`,
      `create unique index user_directory_username_idx on ledger.user_directory (lower(username)) where username is not null`,
    ];
  }

  protected override upgrade(): string[] {
    return ledgerFunctionsSql();
  }
}
