import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261207100000_init } from './Migration20261207100000_init.js';
import { Migration20261207120000_seal_personal_data } from './Migration20261207120000_seal_personal_data.js';
import { Migration20261207120000_account_recovery } from './Migration20261207120000_account_recovery.js';
import { Migration20261207130000_recovery_failed } from './Migration20261207130000_recovery_failed.js';

/** Applied in order on start; never edit one that has shipped, add a new one. */
export const kycMigrations: MigrationObject[] = [
  { name: 'Migration20261207100000_init', class: Migration20261207100000_init },
  { name: 'Migration20261207120000_seal_personal_data', class: Migration20261207120000_seal_personal_data },
  { name: 'Migration20261207120000_account_recovery', class: Migration20261207120000_account_recovery },
  { name: 'Migration20261207130000_recovery_failed', class: Migration20261207130000_recovery_failed },
];
