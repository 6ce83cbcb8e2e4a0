import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_init } from './Migration20261122000000_init.js';

/** Applied in order on start; never edit one that has shipped, add a new one. */
export const ledgerMigrations: MigrationObject[] = [{ name: 'Migration20261122000000_init', class: Migration20261122000000_init }];
