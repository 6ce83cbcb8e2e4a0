import { Migration } from '@mikro-orm/migrations';
import { ledgerFunctionsSql } from '../../subgraphs/ledger/sql/functions.js';

/**
 * commit_batch checks the level limits itself (an item's `levelLimit`), under a per-user advisory lock taken
 * after the balance locks, and records each counted movement's value in ledger.limit_usage: transfers under
 * level limits keep sharing batches (group commit) instead of paying one commit each.
 */
export class Migration20261207040000_level_limits_in_batch extends Migration {
  override async up(): Promise<void> {
    for (const sql of ledgerFunctionsSql(['commit_batch'])) this.addSql(sql);
  }
}
