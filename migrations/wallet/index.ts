import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_wallet_init } from './Migration20261122000000_wallet_init.js';
import { Migration20261123000000_deposits } from './Migration20261123000000_deposits.js';
import { Migration20261124000000_withdrawal_freeze_lift } from './Migration20261124000000_withdrawal_freeze_lift.js';
import { Migration20261207000000_asset_minimums } from './Migration20261207000000_asset_minimums.js';

/** Applied in order on start; never edit one that has shipped, add a new one. */
export const walletMigrations: MigrationObject[] = [
  { name: 'Migration20261122000000_wallet_init', class: Migration20261122000000_wallet_init },
  { name: 'Migration20261123000000_deposits', class: Migration20261123000000_deposits },
  { name: 'Migration20261124000000_withdrawal_freeze_lift', class: Migration20261124000000_withdrawal_freeze_lift },
  { name: 'Migration20261207000000_asset_minimums', class: Migration20261207000000_asset_minimums },
];
