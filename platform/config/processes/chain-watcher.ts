import { chains } from '../chains.js';
import { defineProcess, type ConfigOf } from '../env.js';
import { database } from '../pieces.js';

/** One network's deposit watcher: the wallet schema's deposit tables and the chain endpoints. No custody keys. */
export const chainWatcherProcess = defineProcess('chain-watcher', { database, chains });
export type ChainWatcherConfig = ConfigOf<typeof chainWatcherProcess>;
