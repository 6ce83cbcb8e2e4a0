import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_init } from './Migration20261122000000_init.js';
import { Migration20261122020000_brin_created_at } from './Migration20261122020000_brin_created_at.js';
import { Migration20261122030000_commit_batch_fixed_cost } from './Migration20261122030000_commit_batch_fixed_cost.js';
import { Migration20261122040000_commit_batch_event_from_item } from './Migration20261122040000_commit_batch_event_from_item.js';
import { Migration20261124000000_idempotency_retention } from './Migration20261124000000_idempotency_retention.js';
import { Migration20261124010000_commit_batch_generic_plans } from './Migration20261124010000_commit_batch_generic_plans.js';
import { Migration20261207000000_asset_switches } from './Migration20261207000000_asset_switches.js';

/** Applied in order on start; never edit one that has shipped, add a new one. */
export const ledgerMigrations: MigrationObject[] = [
  { name: 'Migration20261122000000_init', class: Migration20261122000000_init },
  { name: 'Migration20261122020000_brin_created_at', class: Migration20261122020000_brin_created_at },
  { name: 'Migration20261122030000_commit_batch_fixed_cost', class: Migration20261122030000_commit_batch_fixed_cost },
  { name: 'Migration20261122040000_commit_batch_event_from_item', class: Migration20261122040000_commit_batch_event_from_item },
  { name: 'Migration20261124000000_idempotency_retention', class: Migration20261124000000_idempotency_retention },
  { name: 'Migration20261124010000_commit_batch_generic_plans', class: Migration20261124010000_commit_batch_generic_plans },
  { name: 'Migration20261207000000_asset_switches', class: Migration20261207000000_asset_switches },
];
