import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { chains } from '../chains.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { masterKeys } from '../secrets.js';
import { payouts } from '../payouts.js';
import { subgraphSections } from './subgraph.js';
import { treasuryBands, treasuryColdWallets } from '../treasury.js';

/** The wallet subgraph: the only service that reads WALLET_MASTER_KEYS (custody roots), with its commands. */
const wallet = section(
  {
    WALLET_PORT: port.default(SERVICE_PORT_VARIABLES.wallet[1]),
    ...masterKeys.shape,
    WALLET_MAX_WALLETS_PER_NETWORK: positiveInt.max(100).default(5),
    WALLET_BALANCE_CACHE_SECONDS: positiveInt.max(3600).default(15),
  },
  (e, ctx) => ({
    port: e.WALLET_PORT,
    /** Key ids and bytes; prints as ids only. */
    masterKeys: masterKeys.build(e, ctx),
    maxWalletsPerNetwork: e.WALLET_MAX_WALLETS_PER_NETWORK,
    balanceCacheSeconds: e.WALLET_BALANCE_CACHE_SECONDS,
  }),
);

export const walletProcess = defineProcess('wallet', {
  ...subgraphSections,
  wallet,
  chains,
  payouts,
  coldWallets: treasuryColdWallets,
  hotBands: treasuryBands,
});
export type WalletConfig = ConfigOf<typeof walletProcess>;
