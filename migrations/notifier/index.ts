import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261207150000_init } from './Migration20261207150000_init.js';

/** The notifier worker's schema (not a subgraph): applied by `npm run migrate` and by the worker on start. */
export const NOTIFIER_SCHEMA = 'notifier';

/** Applied in order; never edit one that has shipped, add a new one. */
export const notifierMigrations: MigrationObject[] = [
  { name: 'Migration20261207150000_init', class: Migration20261207150000_init },
];
