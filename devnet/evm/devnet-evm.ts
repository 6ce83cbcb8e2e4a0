import type { Logger } from 'pino';
import { DEVNET_EVM_USDT } from '../../platform/config/chains.js';
import {
  deployTestToken,
  mintTestToken,
  rpc,
  startLocalEvmChain,
  type DevAccount,
  type LocalEvmChain,
} from './local-chain.js';

export type DevnetEvmNetwork = 'ETH' | 'BSC';

/** USDT decimals as on mainnet: 6 on ETH, 18 on BSC (BEP20). */
export const DEVNET_USDT_DECIMALS: Record<DevnetEvmNetwork, number> = { ETH: 6, BSC: 18 };
/** Hardhat account #1 holds the devnet USDT and sends what `devnet:send` asks for (#0 deploys and owns the token). */
export const DEVNET_FAUCET_ACCOUNT = 1;

export interface DevnetEvmOptions {
  ports: Record<DevnetEvmNetwork, number>;
  chainIds: Record<DevnetEvmNetwork, number>;
  /** A block this often on each chain (0: only when a transaction arrives), so confirmations progress. */
  blockIntervalMs: number;
  log: Logger;
}

export interface DevnetEvmChain {
  network: DevnetEvmNetwork;
  chain: LocalEvmChain;
  usdt: string;
  faucet: DevAccount;
}

export interface DevnetEvm {
  chains: DevnetEvmChain[];
  close(): Promise<void>;
}

/**
 * The devnet's EVM chains: one hardhat node per network on its fixed port, the USDT-like token deployed as
 * account #0's first transaction (so at the address config.chains expects, DEVNET_EVM_USDT), a billion USDT
 * minted to the faucet account, and a block every `blockIntervalMs`.
 */
export async function startDevnetEvm(options: DevnetEvmOptions): Promise<DevnetEvm> {
  const started: DevnetEvmChain[] = [];
  const timers: NodeJS.Timeout[] = [];
  const close = async () => {
    for (const timer of timers) clearInterval(timer);
    await Promise.all(started.map((c) => c.chain.stop()));
  };
  try {
    for (const network of ['ETH', 'BSC'] as const) {
      const chain = await startLocalEvmChain({ chainId: options.chainIds[network], port: options.ports[network] });
      const owner = chain.accounts[0]!;
      const faucet = chain.accounts[DEVNET_FAUCET_ACCOUNT]!;
      const entry: DevnetEvmChain = { network, chain, usdt: '', faucet };
      started.push(entry);
      entry.usdt = await deployTestToken(chain.rpcUrl, owner.privateKey, {
        decimals: DEVNET_USDT_DECIMALS[network],
        symbol: 'USDT',
        name: 'Tether USD',
      });
      if (entry.usdt !== DEVNET_EVM_USDT)
        throw new Error(
          `devnet USDT on ${network} landed at ${entry.usdt}, not ${DEVNET_EVM_USDT}: was the chain fresh?`,
        );
      await mintTestToken(
        chain.rpcUrl,
        owner.privateKey,
        entry.usdt,
        faucet.address,
        10n ** 9n * 10n ** BigInt(DEVNET_USDT_DECIMALS[network]),
      );
      if (options.blockIntervalMs > 0) {
        let busy = false;
        const timer = setInterval(() => {
          if (busy) return;
          busy = true;
          rpc(chain.rpcUrl, 'evm_mine', [], 5_000)
            .catch((err: unknown) => options.log.warn({ err, network }, 'devnet block not mined'))
            .finally(() => (busy = false));
        }, options.blockIntervalMs);
        timers.push(timer);
      }
      options.log.info(
        { network, rpcUrl: chain.rpcUrl, chainId: options.chainIds[network], usdt: entry.usdt, faucet: faucet.address },
        'devnet EVM chain ready',
      );
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { chains: started, close };
}
