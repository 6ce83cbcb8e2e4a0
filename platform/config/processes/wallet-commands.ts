import { defineProcess, section, type ConfigOf } from '../env.js';
import { database } from '../pieces.js';
import { masterKeys } from '../secrets.js';

/** `npm run wallet:rotate-key` / `wallet:import-root`: the wallet schema and the master keys, nothing else. */
export const walletCommandsProcess = defineProcess('wallet-commands', {
  database,
  wallet: section(masterKeys.shape, (e, ctx) => ({ masterKeys: masterKeys.build(e, ctx) })),
});
export type WalletCommandsConfig = ConfigOf<typeof walletCommandsProcess>;
