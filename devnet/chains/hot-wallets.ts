import type { Logger } from 'pino';
import { DEVNET_FAUCET_ACCOUNT, DEVNET_USDT_DECIMALS } from '../evm/devnet-evm.js';
import { EvmSender } from '../evm/evm-sender.js';
import { hardhatAccounts } from '../evm/local-chain.js';
import type { ChainsConfig } from '../../platform/config/chains.js';
import type { Network } from '../../platform/money/assets.js';

/** What each devnet hot wallet gets at `npm start`: native coin (minor units) and USDT (whole tokens). */
export const DEVNET_HOT_FUNDING: Record<Network, { native: bigint; usdtWhole: bigint }> = {
  ETH: { native: 100n * 10n ** 18n, usdtWhole: 1_000_000n },
  BSC: { native: 100n * 10n ** 18n, usdtWhole: 1_000_000n },
  TRON: { native: 1_000_000n * 10n ** 6n, usdtWhole: 1_000_000n },
  TON: { native: 10_000n * 10n ** 9n, usdtWhole: 1_000_000n },
};

const USDT_DECIMALS: Record<Network, number> = { ...DEVNET_USDT_DECIMALS, TRON: 6, TON: 6 };

async function faucet(url: string, body: Record<string, string>): Promise<void> {
  const res = await fetch(`${url}/devnet/faucet`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`faucet ${url} answered ${res.status}: ${await res.text()}`);
}

async function fundOne(network: Network, url: string, usdt: string, address: string): Promise<void> {
  const { native, usdtWhole } = DEVNET_HOT_FUNDING[network];
  const usdtAmount = usdtWhole * 10n ** BigInt(USDT_DECIMALS[network]);
  if (network === 'ETH' || network === 'BSC') {
    const sender = new EvmSender(url, hardhatAccounts()[DEVNET_FAUCET_ACCOUNT]!.privateKey);
    await sender.sendNative(address, native);
    await sender.sendToken(usdt, address, usdtAmount);
    return;
  }
  await faucet(url, { to: address, amount: native.toString() });
  await faucet(url, { to: address, amount: usdtAmount.toString(), token: 'USDT' });
}

/**
 * Devnet only: funds the platform's hot wallets (native coin for fees and withdrawals, and USDT) from the local
 * chains' faucets, so withdrawals work on a laptop. The devnet chains are fresh at every `npm start`, so this runs
 * at every start, after the wallet subgraph has created (or opened) the custody root the hot wallets derive from.
 * A chain still starting is retried until `timeoutMs`.
 */
export async function fundDevnetHotWallets(
  chains: ChainsConfig,
  hotAddress: (network: Network) => Promise<string>,
  log: Logger,
  timeoutMs = 120_000,
): Promise<void> {
  if (chains.devnet === null) return;
  await Promise.all(
    (Object.keys(chains.networks) as Network[]).map(async (network) => {
      const settings = chains.networks[network];
      if (!settings) return;
      const address = await hotAddress(network);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          await fundOne(network, settings.url, settings.usdtContract, address);
          log.info({ network, address, ...DEVNET_HOT_FUNDING[network] }, 'devnet hot wallet funded');
          return;
        } catch (err) {
          if (Date.now() > deadline) {
            log.warn({ err, network, address }, 'devnet hot wallet not funded: withdrawals on this chain will fail');
            return;
          }
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    }),
  );
}
