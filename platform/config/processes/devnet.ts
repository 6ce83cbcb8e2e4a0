import { chains } from '../chains.js';
import { defineProcess, type ConfigOf } from '../env.js';

/** Devnet only: the local chains (hardhat nodes, TronGrid/toncenter simulators) and `npm run devnet:send`. */
export const devnetProcess = defineProcess('devnet', { chains });
export type DevnetConfig = ConfigOf<typeof devnetProcess>;
