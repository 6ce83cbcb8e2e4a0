import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000_baseline } from './Migration20261125000000_baseline.js';
import { Migration20261207000000_asset_switches } from './Migration20261207000000_asset_switches.js';
import { Migration20261207010000_debts_and_freezes } from './Migration20261207010000_debts_and_freezes.js';
import { Migration20261207020000_adjustment_requests } from './Migration20261207020000_adjustment_requests.js';
import { Migration20261207030000_level_limits } from './Migration20261207030000_level_limits.js';
import { Migration20261207040000_level_limits_in_batch } from './Migration20261207040000_level_limits_in_batch.js';
import { Migration20261207080000_account_recovery } from './Migration20261207080000_account_recovery.js';
import { Migration20261207090000_orders } from './Migration20261207090000_orders.js';
import { Migration20261207093100_reserve_snapshots } from './Migration20261207093100_reserve_snapshots.js';

/**
 * Applied in order on start; never edit one that has shipped, add a new one (after the baseline). The SQL
 * functions live in subgraphs/ledger/sql/, one file each: a migration that changes one loads its file.
 */
export const ledgerMigrations: MigrationObject[] = [
  { name: 'Migration20261125000000_baseline', class: Migration20261125000000_baseline },
  { name: 'Migration20261207000000_asset_switches', class: Migration20261207000000_asset_switches },
  { name: 'Migration20261207010000_debts_and_freezes', class: Migration20261207010000_debts_and_freezes },
  { name: 'Migration20261207020000_adjustment_requests', class: Migration20261207020000_adjustment_requests },
  { name: 'Migration20261207030000_level_limits', class: Migration20261207030000_level_limits },
  { name: 'Migration20261207040000_level_limits_in_batch', class: Migration20261207040000_level_limits_in_batch },
  { name: 'Migration20261207080000_account_recovery', class: Migration20261207080000_account_recovery },
  { name: 'Migration20261207090000_orders', class: Migration20261207090000_orders },
  { name: 'Migration20261207093100_reserve_snapshots', class: Migration20261207093100_reserve_snapshots },
];
