import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { OnChainBalanceService } from './balance/on-chain-balance.service.js';
import type { CustodyVault } from './custody-root/custody-vault.js';
import type { WalletService } from './wallet/wallet.service.js';
import type { HoldingsService } from './reserves/holdings.service.js';
import type { TreasuryAddresses } from './treasury/treasury-addresses.js';
import type { TreasuryService } from './treasury/treasury.service.js';

export interface WalletServices {
  vault: CustodyVault;
  wallets: WalletService;
  balances: OnChainBalanceService;
  /** The platform's hot (payout port) and cold (config) addresses per network. */
  addresses: TreasuryAddresses;
  /** On-chain holdings for proof of reserves. */
  holdings: HoldingsService;
  /** Hot/cold positions and the hot-wallet band (`treasury`). */
  treasury: TreasuryService;
}

export interface WalletContext extends SubgraphContext {
  wallet: WalletServices;
}
