import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { OnChainBalanceService } from './balance/on-chain-balance.service.js';
import type { CustodyVault } from './custody-root/custody-vault.js';
import type { WalletService } from './wallet/wallet.service.js';

export interface WalletServices {
  vault: CustodyVault;
  wallets: WalletService;
  balances: OnChainBalanceService;
}

export interface WalletContext extends SubgraphContext {
  wallet: WalletServices;
}
