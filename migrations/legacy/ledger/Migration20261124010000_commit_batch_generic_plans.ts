import { Migration } from '@mikro-orm/migrations';

/**
 * ledger.commit_batch plans its statements once per connection (generic plans) instead of once per call.
 * Under the default plan_cache_mode PL/pgSQL re-plans a statement whenever its generic plan does not look
 * cheaper than a custom one, which here was most of a small batch's cost: one 1-transfer batch took 0.89 ms,
 * 0.45 ms with generic plans; 8 transfers 1.43 → 1.12 ms; 64 transfers 7.0 → 6.0 ms (pgbench, one client).
 * The statements touch a handful of rows by primary key, so the generic plans are the same index scans.
 * A later migration that redefines the function (create or replace) resets this setting and must set it again.
 */
export class Migration20261124010000_commit_batch_generic_plans extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter function ledger.commit_batch(jsonb, smallint) set plan_cache_mode = force_generic_plan');
  }
}
