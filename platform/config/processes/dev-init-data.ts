import { defineProcess, type ConfigOf } from '../env.js';
import { telegram } from '../secrets.js';

/** `npm run dev:init-data`: signs Mini App initData with this environment's bot token (refused in production). */
export const devInitDataProcess = defineProcess('dev-init-data', { telegram });
export type DevInitDataConfig = ConfigOf<typeof devInitDataProcess>;
