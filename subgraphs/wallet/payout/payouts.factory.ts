import type { EntityManager } from '@mikro-orm/postgresql';
import { isEvmNetwork, type Network } from '../../../chains/network.js';
import type { ChainsConfig } from '../../../platform/config/chains.js';
import type { PayoutsConfig } from '../../../platform/config/payouts.js';
import type { Logger } from '../../../platform/logger.js';
import { createEvmRpcClient } from '../../../providers/evm-rpc/index.js';
import { createTronGridClient } from '../../../providers/trongrid/index.js';
import { createToncenterClient } from '../../../providers/toncenter/index.js';
import { CustodyVault } from '../custody-root/custody-vault.js';
import type { MasterKeyring } from '../custody/index.js';
import { EvmChainPayout } from './evm.payout.js';
import { PayoutKeys } from './payout.keys.js';
import type { ChainPayout } from './payout.port.js';
import { SequenceAllocator } from './sequence.allocator.js';
import { TronChainPayout } from './tron.payout.js';
import { TonChainPayout } from './ton.payout.js';

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
    } else if (network === 'TRON') {
      const client = createTronGridClient({ baseUrl: settings.url, apiKey: settings.apiKey, log });
      out.set(
        network,
        new TronChainPayout(
          {
            confirmations: settings.confirmations,
            usdtContract: settings.usdtContract,
            feeLimitPercent: deps.payouts.tron.feeLimitPercent,
            expirationSeconds: deps.payouts.tron.expirationSeconds,
          },
          { client, keys, log },
        ),
      );
    } else if (network === 'TON') {
      const client = createToncenterClient({ baseUrl: settings.url, apiKey: settings.apiKey, log });
      out.set(
        network,
        new TonChainPayout(
          {
            confirmations: settings.confirmations,
            usdtMaster: settings.usdtContract,
            validSeconds: deps.payouts.ton.validSeconds,
            jettonAttachedNanoton: deps.payouts.ton.jettonAttachedNanoton,
          },
          { client, keys, sequences, log },
        ),
      );
    }
  }
  return out;
}
