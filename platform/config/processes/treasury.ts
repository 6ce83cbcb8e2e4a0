import { chains } from '../chains.js';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { payouts } from '../payouts.js';
import { database } from '../pieces.js';
import { masterKeys } from '../secrets.js';
import { treasuryBands, treasuryColdWallets } from '../treasury.js';

/**
 * The treasury worker (workers/treasury): sweeps deposit addresses into the hot wallet (with gas top-ups), keeps
 * the hot wallet inside its band (excess to cold, floor alerts). It signs with custody keys, so it reads
 * WALLET_MASTER_KEYS like the wallet subgraph.
 */
const treasury = section(
  {
    TREASURY_PORT: port.default(4188),
    TREASURY_POLL_MS: positiveInt.default(5_000),
  },
  (e) => ({ port: e.TREASURY_PORT, pollMs: e.TREASURY_POLL_MS }),
);

export const treasuryProcess = defineProcess('treasury', {
  database,
  chains,
  payouts,
  coldWallets: treasuryColdWallets,
  hotBands: treasuryBands,
  wallet: section(masterKeys.shape, (e, ctx) => ({ masterKeys: masterKeys.build(e, ctx) })),
  treasury,
});
export type TreasuryConfig = ConfigOf<typeof treasuryProcess>;
