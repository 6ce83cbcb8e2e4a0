import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployTestToken,
  localProvider,
  mintTestToken,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../devnet/evm/local-chain.js';
import { deriveAddress, mnemonicToSeed } from '../../subgraphs/wallet/custody/index.js';
import { ProviderError } from '../http/http.errors.js';
import { startTonSimulator, type TonSimulator } from '../../devnet/ton/toncenter.simulator.js';
import { startTronSimulator, type TronSimulator } from '../../devnet/tron/trongrid.simulator.js';
import { ChainBalanceInputError, type ChainBalanceReader } from './chain-balance.port.js';
import { createChainBalanceReader } from './chain-balance.reader.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

let chain: LocalEvmChain;
let tron: TronSimulator;
let ton: TonSimulator;
let reader: ChainBalanceReader;
let seed: Uint8Array;
let usdtEth: string;
let usdtBsc: string;

beforeAll(async () => {
  [chain, tron, ton, seed] = await Promise.all([
    startLocalEvmChain(),
    startTronSimulator({ blockIntervalMs: null }),
    startTonSimulator({ blockIntervalMs: null }),
    mnemonicToSeed(ABOUT),
  ]);
  const owner = chain.accounts[0]!.privateKey;
  usdtEth = await deployTestToken(chain.rpcUrl, owner);
  usdtBsc = await deployTestToken(chain.rpcUrl, owner, { decimals: 18 });
  reader = createChainBalanceReader(
    {
      eth: { rpcUrl: chain.rpcUrl },
      bsc: { rpcUrl: chain.rpcUrl },
      tron: { baseUrl: tron.url, apiKey: null },
      ton: { baseUrl: ton.url, apiKey: null },
      usdtContracts: { ETH: usdtEth, BSC: usdtBsc, TRON: tron.usdtContract, TON: ton.usdtMaster },
    },
    { resilience: { retries: 0, timeoutMs: 5_000 } },
  );
});

afterAll(async () => {
  await Promise.all([chain?.stop(), tron?.close(), ton?.close()]);
});

describe('chain balance reader (hardhat + TRON and TON simulators)', () => {
  it('reads native and USDT balances on every network, exactly', async () => {
    const evmAddress = deriveAddress(seed, 'ETH', 3);
    const provider = localProvider(chain.rpcUrl);
    try {
      await (
        await new Wallet(chain.accounts[1]!.privateKey, provider).sendTransaction({
          to: evmAddress,
          value: 123_456_789_012_345_678n,
        })
      ).wait();
    } finally {
      provider.destroy();
    }
    await mintTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey, usdtEth, evmAddress, 42_000_001n);
    await mintTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey, usdtBsc, evmAddress, 7n * 10n ** 18n + 5n);
    const tronAddress = deriveAddress(seed, 'TRON', 3);
    tron.send({ to: tronAddress, amount: 15_000_000n });
    tron.send({ to: tronAddress, amount: 2_500_000n, token: 'USDT' });
    const tonAddress = deriveAddress(seed, 'TON', 3);
    ton.send({ to: tonAddress, amount: 1_500_000_000n });
    ton.send({ to: tonAddress, amount: 99_000_000n, jetton: 'USDT' });

    expect(await reader.balance('ETH', 'ETH', evmAddress)).toBe(123_456_789_012_345_678n);
    expect(await reader.balance('ETH', 'USDT_ETH', evmAddress)).toBe(42_000_001n);
    expect(await reader.balance('BSC', 'BNB', evmAddress.toLowerCase())).toBe(123_456_789_012_345_678n);
    expect(await reader.balance('BSC', 'USDT_BSC', evmAddress)).toBe(7n * 10n ** 18n + 5n);
    expect(await reader.balance('TRON', 'TRX', tronAddress)).toBe(15_000_000n);
    expect(await reader.balance('TRON', 'USDT_TRON', tronAddress)).toBe(2_500_000n);
    // + 1 nanoton: the forward_ton_amount the jetton transfer_notification carried to the owner.
    expect(await reader.balance('TON', 'TON', tonAddress)).toBe(1_500_000_001n);
    expect(await reader.balance('TON', 'USDT_TON', tonAddress)).toBe(99_000_000n);
  });

  it('an address that never received anything has zero of everything', async () => {
    for (const network of ['ETH', 'TRON', 'TON'] as const) {
      const fresh = deriveAddress(seed, network, 9);
      const symbols = { ETH: ['ETH', 'USDT_ETH'], TRON: ['TRX', 'USDT_TRON'], TON: ['TON', 'USDT_TON'] }[network];
      for (const symbol of symbols) expect(await reader.balance(network, symbol, fresh)).toBe(0n);
    }
  });

  it('a fake jetton (even one impersonating USDT) is not counted as USDT', async () => {
    const tonAddress = deriveAddress(seed, 'TON', 4);
    const impostor = ton.createFakeJetton({ impersonate: true });
    ton.send({ to: tonAddress, amount: 500_000_000n, jetton: impostor });
    expect(await reader.balance('TON', 'USDT_TON', tonAddress)).toBe(0n);
  });

  it('refuses assets of another network and invalid addresses before touching a chain', async () => {
    const evm = deriveAddress(seed, 'ETH', 0);
    const requestsBefore = tron.requestCount() + ton.requestCount();
    const errors = await Promise.all([
      reader.balance('ETH', 'USDT_TRON', evm).catch((e: unknown) => e),
      reader.balance('BSC', 'ETH', evm).catch((e: unknown) => e),
      reader.balance('TON', 'IRT', deriveAddress(seed, 'TON', 0)).catch((e: unknown) => e),
      reader.balance('TRON', 'TRX', 'T' + 'x'.repeat(33)).catch((e: unknown) => e),
      reader.balance('TON', 'TON', '0:zz').catch((e: unknown) => e),
    ]);
    expect(errors.map((e) => (e as ChainBalanceInputError).code)).toEqual([
      'UNSUPPORTED_ASSET',
      'UNSUPPORTED_ASSET',
      'UNSUPPORTED_ASSET',
      'INVALID_ADDRESS',
      'INVALID_ADDRESS',
    ]);
    expect(errors.every((e) => e instanceof ChainBalanceInputError)).toBe(true);
    expect(tron.requestCount() + ton.requestCount()).toBe(requestsBefore);
  });

  it('a chain that cannot be read surfaces the provider error', async () => {
    tron.setFailure({ mode: 'server-error', times: 1 });
    const error = await reader.balance('TRON', 'TRX', deriveAddress(seed, 'TRON', 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
  });
});
