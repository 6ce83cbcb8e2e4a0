import { Migration } from '@mikro-orm/migrations';

/**
 * Four eyes on created money: an adjustBalance above LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD, or of the requester's
 * own account, is a request another money admin approves (or the requester cancels, or anyone of them rejects)
 * before it expires. `amount` is signed (credit > 0, debit < 0), in minor units; the approval's transaction is
 * linked once (`transaction_id`). (requested_by, idempotency_key) makes the request idempotent like the mutation.
 */
export class Migration20261207020000_adjustment_requests extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table ledger.adjustment_request (
      id text primary key,
      user_id text not null,
      asset text not null,
      amount numeric(78,0) not null check (amount <> 0),
      reason text not null,
      requested_by text not null,
      idempotency_key text not null,
      request_hash bytea not null,
      status text not null check (status in ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      decided_by text null,
      decided_at timestamptz null,
      decision_note text null,
      transaction_id text null unique,
      constraint adjustment_request_key_unique unique (requested_by, idempotency_key),
      constraint adjustment_request_decided check ((status = 'PENDING') = (decided_at is null)),
      constraint adjustment_request_approved_has_transaction check ((status = 'APPROVED') = (transaction_id is not null)),
      constraint adjustment_request_four_eyes check (decided_by is null or status = 'CANCELLED' or decided_by <> requested_by)
    )`);
    this.addSql(
      `create index adjustment_request_list_idx on ledger.adjustment_request (status, created_at desc, id desc)`,
    );
  }
}
