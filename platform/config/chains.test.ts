import { describe, expect, it } from 'vitest';
import { usdtOf } from '../money/assets.js';
import { DEVNET_EVM_USDT } from './chains.js';
import { chainWatcherProcess, ConfigError, walletProcess } from './config.js';

/** A chain watcher holds no secret: production needs nothing but its endpoints. */
const REAL = { NODE_ENV: 'production' };
const loadConfig = (env: Record<string, string>) => chainWatcherProcess.load(env);

describe('chains config', () => {
  it('development: every network watches the local devnet chains with the brief’s confirmation defaults', () => {
    const { chains } = loadConfig({});
    expect(chains.devnet).toEqual({ ports: { ETH: 8545, BSC: 8546, TRON: 4290, TON: 4291 }, blockIntervalMs: 1000 });
    expect(chains.networks.ETH).toMatchObject({ url: 'http://127.0.0.1:8545', confirmations: 12, usdtContract: DEVNET_EVM_USDT, evmChainId: 1337, startHeight: null, watcherPort: 4195 });
    expect(chains.networks.BSC).toMatchObject({ url: 'http://127.0.0.1:8546', confirmations: 15, evmChainId: 1338, watcherPort: 4196 });
    expect(chains.networks.TRON).toMatchObject({ url: 'http://127.0.0.1:4290', confirmations: 19, usdtContract: usdtOf('TRON').contract });
    expect(chains.networks.TON).toMatchObject({ url: 'http://127.0.0.1:4291', confirmations: 1, usdtContract: usdtOf('TON').contract });
    // the wallet (on-chain balances) reads the same section
    expect(walletProcess.load({}).chains).toEqual(chains);
  });

  it('production: a network without an endpoint is off; a configured one uses the mainnet USDT and no chain-id pin', () => {
    const { chains } = loadConfig({ ...REAL, CHAIN_ETH_RPC_URL: 'https://eth.example.com', CHAIN_ETH_CONFIRMATIONS: '20', CHAIN_ETH_START_HEIGHT: '21000000' });
    expect(chains.devnet).toBeNull();
    expect(chains.networks.BSC).toBeNull();
    expect(chains.networks.TRON).toBeNull();
    expect(chains.networks.ETH).toMatchObject({ url: 'https://eth.example.com', confirmations: 20, usdtContract: usdtOf('ETH').contract, evmChainId: null, startHeight: 21_000_000n });
  });

  it('refuses devnet chains in production, bad start heights, and confirmations beyond the reorg window', () => {
    expect(() => loadConfig({ ...REAL, DEVNET_CHAINS: 'true' })).toThrow(/DEVNET_CHAINS/);
    try {
      loadConfig({ CHAIN_TON_START_HEIGHT: 'genesis', CHAIN_TRON_CONFIRMATIONS: '300', CHAIN_REORG_WINDOW: '256' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/CHAIN_TON_START_HEIGHT/);
    }
    expect(() => loadConfig({ CHAIN_TRON_CONFIRMATIONS: '300' })).toThrow(/CHAIN_TRON_CONFIRMATIONS: must be below CHAIN_REORG_WINDOW/);
  });
});
