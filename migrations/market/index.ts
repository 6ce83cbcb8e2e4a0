import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_assets } from './Migration20261122000000_assets.js';
import { Migration20261122010000_prices } from './Migration20261122010000_prices.js';
import { Migration20261207000000_asset_events } from './Migration20261207000000_asset_events.js';

/** Applied in order on start; never edit one that has shipped, add a new one. */
export const marketMigrations: MigrationObject[] = [
  { name: 'Migration20261122000000_assets', class: Migration20261122000000_assets },
  { name: 'Migration20261122010000_prices', class: Migration20261122010000_prices },
  { name: 'Migration20261207000000_asset_events', class: Migration20261207000000_asset_events },
];
