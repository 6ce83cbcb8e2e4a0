import type { Logger } from 'pino';
import { ProviderParseError } from '../http/http.errors.js';
import { assetInfo, type Network } from '../../platform/money/assets.js';
import { validateAddress } from '../../chains/address.js';
import { createEvmRpcClient, type EvmResilienceOptions, type EvmRpcClient } from '../evm-rpc/index.js';
import {
  createToncenterClient,
  normalizeTonAddress,
  type TonResilienceOptions,
  type ToncenterClient,
} from '../toncenter/index.js';
import { createTronGridClient, type TronGridClient, type TronResilienceOptions } from '../trongrid/index.js';
import { ChainBalanceInputError, type ChainBalanceReader } from './chain-balance.port.js';

export interface ChainBalanceConfig {
  eth: { rpcUrl: string };
  bsc: { rpcUrl: string };
  tron: { baseUrl: string; apiKey: string | null };
  ton: { baseUrl: string; apiKey: string | null };
  /**
   * The USDT contract per network: ERC20/BEP20 address (ETH, BSC), TRC20 base58 address (TRON), jetton master (TON).
   * Mainnet values are in the asset catalogue (`usdtOf(network).contract`); devnet passes its deployed token.
   */
  usdtContracts: Record<Network, string>;
}

interface ChainBalanceClients {
  eth: EvmRpcClient;
  bsc: EvmRpcClient;
  tron: TronGridClient;
  ton: ToncenterClient;
}

export interface ChainBalanceOptions {
  log?: Logger;
  resilience?: EvmResilienceOptions & TronResilienceOptions & TonResilienceOptions;
}

/** The chain clients a reader needs, built from the typed config. */
function createChainBalanceClients(config: ChainBalanceConfig, options: ChainBalanceOptions = {}): ChainBalanceClients {
  const common = {
    ...(options.log ? { log: options.log } : {}),
    ...(options.resilience ? { resilience: options.resilience } : {}),
  };
  return {
    eth: createEvmRpcClient({ rpcUrl: config.eth.rpcUrl, name: 'evm-rpc:eth', ...common }),
    bsc: createEvmRpcClient({ rpcUrl: config.bsc.rpcUrl, name: 'evm-rpc:bsc', ...common }),
    tron: createTronGridClient({ baseUrl: config.tron.baseUrl, apiKey: config.tron.apiKey, ...common }),
    ton: createToncenterClient({ baseUrl: config.ton.baseUrl, apiKey: config.ton.apiKey, ...common }),
  };
}

/** A `ChainBalanceReader` over the EVM JSON-RPC, TronGrid and toncenter clients. */
export function createChainBalanceReader(
  config: ChainBalanceConfig,
  options: ChainBalanceOptions = {},
): ChainBalanceReader {
  return chainBalanceReaderFrom(createChainBalanceClients(config, options), config.usdtContracts);
}

/** The reader over the clients `createChainBalanceReader` built. */
function chainBalanceReaderFrom(
  clients: ChainBalanceClients,
  usdtContracts: Record<Network, string>,
): ChainBalanceReader {
  for (const network of ['ETH', 'BSC', 'TRON', 'TON'] as const) {
    const contract = usdtContracts[network];
    if (!contract || !validateAddress(network, contract).valid)
      throw new TypeError(`usdtContracts.${network} is not a valid ${network} address`);
  }
  return {
    async balance(network, assetSymbol, address) {
      const asset = assetInfo(assetSymbol);
      if (!asset || asset.network !== network || (asset.contract !== null && asset.coin !== 'USDT')) {
        throw new ChainBalanceInputError('UNSUPPORTED_ASSET', `${assetSymbol} is not an asset on ${network}`);
      }
      const check = validateAddress(network, address);
      if (!check.valid || check.normalized === null) {
        throw new ChainBalanceInputError('INVALID_ADDRESS', `invalid ${network} address: ${check.reason ?? 'invalid'}`);
      }
      const owner = check.normalized;
      const native = asset.contract === null;
      switch (network) {
        case 'ETH':
        case 'BSC': {
          const client = network === 'ETH' ? clients.eth : clients.bsc;
          return native ? client.getBalance(owner) : client.erc20BalanceOf(usdtContracts[network], owner);
        }
        case 'TRON':
          return native ? clients.tron.getBalance(owner) : clients.tron.trc20BalanceOf(usdtContracts.TRON, owner);
        case 'TON': {
          if (native) return clients.ton.getAddressBalance(owner);
          const master = usdtContracts.TON;
          // The wallet the genuine master computes for this owner; its get_wallet_data must agree.
          const wallet = await clients.ton.getJettonWalletAddress(master, owner);
          const data = await clients.ton.getJettonWalletData(wallet);
          if (data === null) return 0n;
          if (data.owner !== normalizeTonAddress(owner) || data.master !== normalizeTonAddress(master)) {
            throw new ProviderParseError(
              clients.ton.name,
              `jetton wallet ${wallet} reports owner ${data.owner} and master ${data.master}`,
              wallet,
            );
          }
          return data.balance;
        }
      }
    },
  };
}
