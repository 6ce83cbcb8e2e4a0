import { defineProcess, type ConfigOf } from '../env.js';
import { database, nats } from '../pieces.js';

/**
 * `npm run migrate` (and `npm start` before it starts anything): every subgraph's migrations, and the events
 * stream (as the `migrate` NATS user, the only one allowed to create or update it).
 */
export const migrateProcess = defineProcess('migrate', { database, nats });
export type MigrateConfig = ConfigOf<typeof migrateProcess>;
