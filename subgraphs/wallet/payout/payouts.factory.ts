import type { EntityManager } from '@mikro-orm/postgresql';
import { isEvmNetwork, type Network } from '../../../chains/network.js';
import type { ChainsConfig } from '../../../platform/config/chains.js';
import type { PayoutsConfig } from '../../../platform/config/payouts.js';
import type { Logger } from '../../../platform/logger.js';
import { createEvmRpcClient } from '../../../providers/evm-rpc/index.js';
import { CustodyVault } from '../custody-root/custody-vault.js';
import type { MasterKeyring } from '../custody/index.js';
import { EvmChainPayout } from './evm.payout.js';
import { PayoutKeys } from './payout.keys.js';
import type { ChainPayout } from './payout.port.js';
import { SequenceAllocator } from './sequence.allocator.js';

export interface ChainPayoutFactoryDeps {
  /** A fresh EntityManager on the wallet schema (migrated) per call. */
  em: () => EntityManager;
  /** WALLET_MASTER_KEYS, which open the custody roots. The caller owns it (destroys it on close). */
  keyring: MasterKeyring;
  chains: ChainsConfig;
  payouts: PayoutsConfig;
  log: Logger;
}

/** One `ChainPayout` per configured network (a network whose endpoint is off has none). */
export function createChainPayouts(deps: ChainPayoutFactoryDeps): Map<Network, ChainPayout> {
  const vault = new CustodyVault(deps.keyring, deps.log.child({ component: 'payout-vault' }));
  const keys = new PayoutKeys(vault, deps.em);
  const sequences = new SequenceAllocator(deps.em);
  const out = new Map<Network, ChainPayout>();
  for (const [network, settings] of Object.entries(deps.chains.networks) as [
    Network,
    ChainsConfig['networks'][Network],
  ][]) {
    if (!settings) continue;
    const log = deps.log.child({ component: 'payout', network });
    if (isEvmNetwork(network)) {
      const rpc = createEvmRpcClient({ rpcUrl: settings.url, name: `evm-rpc:${network.toLowerCase()}`, log });
      out.set(
        network,
        new EvmChainPayout(
          {
            network,
            chainId: settings.evmChainId === null ? null : BigInt(settings.evmChainId),
            confirmations: settings.confirmations,
            usdtContract: settings.usdtContract,
            ...deps.payouts.evm,
          },
          { rpc, keys, sequences, log },
        ),
      );
    }
  }
  return out;
}
