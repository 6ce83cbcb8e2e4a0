import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency records are kept for LEDGER_IDEMPOTENCY_RETENTION_DAYS, then pruned by the ledger's sweeper.
 * created_at grows with insertion order, so a BRIN index finds the old ones without a B-tree on the posting path.
 */
export class Migration20261124000000_idempotency_retention extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index idempotency_created_at_brin on ledger.idempotency using brin (created_at)');
  }
}
