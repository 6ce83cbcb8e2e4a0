import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261207090000_init } from './Migration20261207090000_init.js';
import { Migration20261207101500_resolution } from './Migration20261207101500_resolution.js';

/** Applied in order on start; never edit one that has shipped, add a new one. */
export const voucherMigrations: MigrationObject[] = [
  { name: 'Migration20261207090000_init', class: Migration20261207090000_init },
  { name: 'Migration20261207101500_resolution', class: Migration20261207101500_resolution },
];
