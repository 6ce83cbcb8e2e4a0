import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { CustodyVault } from './custody-root/custody-vault.js';
import type { WalletService } from './wallet/wallet.service.js';

export interface WalletServices {
  vault: CustodyVault;
  wallets: WalletService;
}

export interface WalletContext extends SubgraphContext {
  wallet: WalletServices;
}
