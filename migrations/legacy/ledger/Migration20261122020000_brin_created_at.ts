import { Migration } from '@mikro-orm/migrations';

/**
 * created_at grows with insertion order, so a BRIN index serves the admin date-range search for a fraction
 * of a B-tree's cost on the posting path (one index fewer to maintain per transaction).
 */
export class Migration20261122020000_brin_created_at extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop index ledger.transaction_created_at_idx');
    this.addSql('create index transaction_created_at_brin on ledger.transaction using brin (created_at)');
  }
}
