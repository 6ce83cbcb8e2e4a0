import { defineProcess, type ConfigOf } from '../env.js';
import { database } from '../pieces.js';

/** `npm run admin:create`: writes a staff account into identity's schema; it needs no token key or bot token. */
export const adminCreateProcess = defineProcess('admin-create', { database });
export type AdminCreateConfig = ConfigOf<typeof adminCreateProcess>;
