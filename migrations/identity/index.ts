import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121000000_init } from './Migration20261121000000_init.js';
import { Migration20261207000000_session_kind } from './Migration20261207000000_session_kind.js';
import { Migration20261207150000_muted_notifications } from './Migration20261207150000_muted_notifications.js';

/** Applied in order on start; never edit one that has shipped, add a new one. */
export const identityMigrations: MigrationObject[] = [
  { name: 'Migration20261121000000_init', class: Migration20261121000000_init },
  { name: 'Migration20261207000000_session_kind', class: Migration20261207000000_session_kind },
  { name: 'Migration20261207150000_muted_notifications', class: Migration20261207150000_muted_notifications },
];
