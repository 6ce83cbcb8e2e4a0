import { defineProcess, type ConfigOf } from '../env.js';
import { database } from '../pieces.js';

/** `npm run migrate` (and `npm start` before it starts anything): every subgraph's migrations. */
export const migrateProcess = defineProcess('migrate', { database });
export type MigrateConfig = ConfigOf<typeof migrateProcess>;
