import type { Network } from '../../../chains/network.js';

/** Events the wallet subgraph publishes through its outbox. Payloads carry keys and public facts only. */
export const WalletEvents = {
  walletCreated: 'wallet.wallet.created',
} as const;

export interface WalletCreatedPayload {
  walletId: string;
  userId: string;
  network: Network;
  /** The deposit address, in the network's canonical form (chain watchers add it to their watch set). */
  address: string;
  isDefault: boolean;
}
