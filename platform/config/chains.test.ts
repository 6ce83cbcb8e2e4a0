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
    expect(chains.networks.ETH).toMatchObject({
      url: 'http://127.0.0.1:8545',
      confirmations: 12,
      usdtContract: DEVNET_EVM_USDT,
      evmChainId: 1337,
      startHeight: null,
      watcherPort: 4195,
    });
    expect(chains.networks.BSC).toMatchObject({
      url: 'http://127.0.0.1:8546',
      confirmations: 15,
      evmChainId: 1338,
      watcherPort: 4196,
    });
    expect(chains.networks.TRON).toMatchObject({
      url: 'http://127.0.0.1:4290',
      confirmations: 19,
      usdtContract: usdtOf('TRON').contract,
    });
    expect(chains.networks.TON).toMatchObject({
      url: 'http://127.0.0.1:4291',
      confirmations: 1,
      usdtContract: usdtOf('TON').contract,
    });
    // the wallet (on-chain balances) reads the same section
    expect(walletProcess.load({}).chains).toEqual(chains);
  });

  it('production: a network without an endpoint is off; a configured one uses the mainnet USDT and is pinned to mainnet', () => {
    const { chains } = loadConfig({
      ...REAL,
      CHAIN_ETH_RPC_URL: 'https://eth.example.com',
      CHAIN_ETH_CONFIRMATIONS: '20',
      CHAIN_ETH_START_HEIGHT: '21000000',
    });
    expect(chains.devnet).toBeNull();
    expect(chains.networks.BSC).toBeNull();
    expect(chains.networks.TRON).toBeNull();
    expect(chains.networks.ETH).toMatchObject({
      url: 'https://eth.example.com',
      confirmations: 20,
      usdtContract: usdtOf('ETH').contract,
      evmChainId: 1,
      genesisHash: null,
      startHeight: 21_000_000n,
    });
    const all = loadConfig({
      ...REAL,
      CHAIN_ETH_RPC_URL: 'https://e.example',
      CHAIN_BSC_RPC_URL: 'https://b.example',
      CHAIN_TRON_API_URL: 'https://t.example',
      CHAIN_TON_API_URL: 'https://o.example',
    }).chains.networks;
    expect([all.ETH!.evmChainId, all.BSC!.evmChainId, all.TRON!.genesisHash, all.TON!.genesisHash]).toEqual([
      1,
      56,
      '00000000000000001ebf88508a03865c71d452e25f4d51194196a1d22b6653dc',
      // F6OpKZKqvqeFp6CQmFomXNMfMj2EnaUSOXN+Mh+wVWk= (toncenter getMasterchainInfo init.root_hash on mainnet)
      '17a3a92992aabea785a7a090985a265cd31f323d849da51239737e321fb05569',
    ]);
  });

  it('chain pins can be set (a testnet), TON hashes in base64 or hex; development pins only the devnet chain ids unless told', () => {
    const testnet = loadConfig({
      ...REAL,
      CHAIN_ETH_RPC_URL: 'https://sepolia.example',
      CHAIN_ETH_CHAIN_ID: '11155111',
      CHAIN_TON_API_URL: 'https://testnet.example',
      CHAIN_TON_ZERO_STATE_HASH: 'gj+B8wb/AmlPk1z1AhVI484rhrUpgSr2oSFIh56VoSg=',
      CHAIN_TRON_API_URL: 'https://nile.example',
      CHAIN_TRON_GENESIS_HASH: '0x0000000000000000D698D4192C56CB6BE724A558448E2684802DE4D6CD8690DC',
    }).chains.networks;
    expect(testnet.ETH!.evmChainId).toBe(11_155_111);
    expect(testnet.TON!.genesisHash).toBe(
      Buffer.from('gj+B8wb/AmlPk1z1AhVI484rhrUpgSr2oSFIh56VoSg=', 'base64').toString('hex'),
    );
    expect(testnet.TRON!.genesisHash).toBe('0000000000000000d698d4192c56cb6be724a558448e2684802de4d6cd8690dc');
    const dev = loadConfig({ CHAIN_TRON_API_URL: 'http://127.0.0.1:9999' }).chains.networks;
    expect([dev.ETH!.evmChainId, dev.BSC!.evmChainId, dev.TRON!.genesisHash, dev.TON!.genesisHash]).toEqual([
      1337,
      1338,
      null,
      null,
    ]);
    expect(() => loadConfig({ CHAIN_TON_ZERO_STATE_HASH: 'not-a-hash' })).toThrow(/CHAIN_TON_ZERO_STATE_HASH/);
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
    expect(() => loadConfig({ CHAIN_TRON_CONFIRMATIONS: '300' })).toThrow(
      /CHAIN_TRON_CONFIRMATIONS: must be below CHAIN_REORG_WINDOW/,
    );
  });
});
