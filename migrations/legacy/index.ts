import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_init } from './ledger/Migration20261122000000_init.js';
import { Migration20261122020000_brin_created_at } from './ledger/Migration20261122020000_brin_created_at.js';
import { Migration20261122030000_commit_batch_fixed_cost } from './ledger/Migration20261122030000_commit_batch_fixed_cost.js';
import { Migration20261122040000_commit_batch_event_from_item } from './ledger/Migration20261122040000_commit_batch_event_from_item.js';
import { Migration20261124000000_idempotency_retention } from './ledger/Migration20261124000000_idempotency_retention.js';
import { Migration20261124010000_commit_batch_generic_plans } from './ledger/Migration20261124010000_commit_batch_generic_plans.js';
import { Migration20261122000000_wallet_init } from './wallet/Migration20261122000000_wallet_init.js';
import { Migration20261123000000_deposits } from './wallet/Migration20261123000000_deposits.js';
import { Migration20261124000000_withdrawal_freeze_lift } from './wallet/Migration20261124000000_withdrawal_freeze_lift.js';

/**
 * TEST FIXTURE ONLY: the ledger and wallet migrations as they stood before each subgraph's history was squashed
 * into one baseline. Nothing in production imports this; migrations.int.test.ts applies them to build the
 * "upgraded" database (a dev database from an earlier `npm start`) and checks that it ends identical to a
 * fresh one.
 */
export const legacyMigrations: Record<'ledger' | 'wallet', MigrationObject[]> = {
  ledger: [
    { name: 'Migration20261122000000_init', class: Migration20261122000000_init },
    { name: 'Migration20261122020000_brin_created_at', class: Migration20261122020000_brin_created_at },
    { name: 'Migration20261122030000_commit_batch_fixed_cost', class: Migration20261122030000_commit_batch_fixed_cost },
    {
      name: 'Migration20261122040000_commit_batch_event_from_item',
      class: Migration20261122040000_commit_batch_event_from_item,
    },
    { name: 'Migration20261124000000_idempotency_retention', class: Migration20261124000000_idempotency_retention },
    {
      name: 'Migration20261124010000_commit_batch_generic_plans',
      class: Migration20261124010000_commit_batch_generic_plans,
    },
  ],
  wallet: [
    { name: 'Migration20261122000000_wallet_init', class: Migration20261122000000_wallet_init },
    { name: 'Migration20261123000000_deposits', class: Migration20261123000000_deposits },
    { name: 'Migration20261124000000_withdrawal_freeze_lift', class: Migration20261124000000_withdrawal_freeze_lift },
  ],
};
