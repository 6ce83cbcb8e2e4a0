import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261207090000_init } from './Migration20261207090000_init.js';

/** Applied in order on start; never edit one that has shipped, add a new one. */
export const voucherMigrations: MigrationObject[] = [
  { name: 'Migration20261207090000_init', class: Migration20261207090000_init },
];
