import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000_baseline } from './Migration20261125000000_baseline.js';
import { Migration20261207000000_asset_minimums } from './Migration20261207000000_asset_minimums.js';
import { Migration20261207000000_freeze_per_deposit } from './Migration20261207000000_freeze_per_deposit.js';
import { Migration20261207083000_payout_sequences } from './Migration20261207083000_payout_sequences.js';
import { Migration20261207094500_treasury_moves } from './Migration20261207094500_treasury_moves.js';
import { Migration20261207100000_withdrawals } from './Migration20261207100000_withdrawals.js';
import { Migration20261207120000_address_confirmation } from './Migration20261207120000_address_confirmation.js';

/** Applied in order on start; never edit one that has shipped, add a new one (after the baseline). */
export const walletMigrations: MigrationObject[] = [
  { name: 'Migration20261125000000_baseline', class: Migration20261125000000_baseline },
  { name: 'Migration20261207000000_asset_minimums', class: Migration20261207000000_asset_minimums },
  { name: 'Migration20261207000000_freeze_per_deposit', class: Migration20261207000000_freeze_per_deposit },
  { name: 'Migration20261207083000_payout_sequences', class: Migration20261207083000_payout_sequences },
  { name: 'Migration20261207094500_treasury_moves', class: Migration20261207094500_treasury_moves },
  { name: 'Migration20261207100000_withdrawals', class: Migration20261207100000_withdrawals },
  { name: 'Migration20261207120000_address_confirmation', class: Migration20261207120000_address_confirmation },
];
