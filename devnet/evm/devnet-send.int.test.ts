import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Contract } from 'ethers';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_EVM_USDT } from '../../platform/config/chains.js';
import { createToncenterClient } from '../../providers/toncenter/index.js';
import { createTronGridClient } from '../../providers/trongrid/index.js';
import { deriveAddress, mnemonicToSeed } from '../../subgraphs/wallet/custody/index.js';
import { startDevnetChains, type DevnetChains } from '../chains/chains.server.js';
import { DEVNET_FAUCET_ACCOUNT, startDevnetEvm, type DevnetEvm } from './devnet-evm.js';
import { localProvider, tetherTokenArtifact } from './local-chain.js';
import { DEVNET_HOT_FUNDING, fundDevnetHotWallets } from '../chains/hot-wallets.js';
import { devnetProcess } from '../../platform/config/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

let evm: DevnetEvm;
let sims: DevnetChains;
let env: Record<string, string>;
let seed: Uint8Array;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Two consecutive free ports (ETH, BSC). */
async function freePair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const next = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port + 1, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (next) return port;
  }
}

function devnetSend(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ['scripts/devnet-send.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  seed = await mnemonicToSeed(
    'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
  );
  const port = await freePair();
  evm = await startDevnetEvm({
    ports: { ETH: port, BSC: port + 1 },
    chainIds: { ETH: 1337, BSC: 1338 },
    blockIntervalMs: 250,
    log: pino({ level: 'silent' }),
  });
  sims = await startDevnetChains({
    host: '127.0.0.1',
    ports: { tron: 0, ton: 0 },
    tronBlockIntervalMs: null,
    tonBlockIntervalMs: null,
    log: pino({ level: 'silent' }),
  });
  env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    DEVNET_CHAIN_PORT: String(port),
    DEVNET_TRON_PORT: new URL(sims.urls.tron).port,
    DEVNET_TON_PORT: new URL(sims.urls.ton).port,
  };
});

afterAll(async () => {
  await sims?.close();
  await evm?.close();
});

describe('devnet EVM chains and npm run devnet:send', () => {
  it('deploys the USDT-like token where the config expects it (6 decimals on ETH, 18 on BSC), funds the faucet and keeps mining', async () => {
    for (const c of evm.chains) {
      expect(c.usdt).toBe(DEVNET_EVM_USDT);
      const provider = localProvider(c.chain.rpcUrl);
      try {
        const token = new Contract(c.usdt, tetherTokenArtifact().abi, provider);
        expect(await token.getFunction('decimals')()).toBe(c.network === 'ETH' ? 6n : 18n);
        expect(await token.getFunction('balanceOf')(c.faucet.address)).toBeGreaterThan(0n);
        expect(c.faucet.address).toBe(c.chain.accounts[DEVNET_FAUCET_ACCOUNT]!.address);
        const before = await provider.getBlockNumber();
        await new Promise((r) => setTimeout(r, 700));
        expect(await provider.getBlockNumber()).toBeGreaterThan(before);
      } finally {
        provider.destroy();
      }
    }
  });

  it('sends native coins and USDT on all four devnet chains, in the asset’s decimal unit', async () => {
    const eth = deriveAddress(seed, 'ETH', 3);
    const tron = deriveAddress(seed, 'TRON', 3);
    const ton = deriveAddress(seed, 'TON', 3);
    const results = await Promise.all([
      devnetSend(['--network', 'ETH', '--to', eth, '--amount', '1.25']),
      devnetSend(['--network', 'BSC', '--to', eth, '--amount', '12.5', '--token', 'USDT']),
      devnetSend(['--network', 'TRON', '--to', tron, '--amount', '7', '--token', 'USDT']),
      devnetSend(['--network', 'TON', '--to', ton, '--amount', '2.5']),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const lines = results.map((r) => JSON.parse(r.stdout.trim()) as Record<string, unknown>);
    expect(lines.map((l) => [l.network, l.asset, l.amount])).toEqual([
      ['ETH', 'ETH', '1.25'],
      ['BSC', 'USDT_BSC', '12.5'],
      ['TRON', 'USDT_TRON', '7'],
      ['TON', 'TON', '2.5'],
    ]);
    const ethProvider = localProvider(evm.chains[0]!.chain.rpcUrl);
    const bscProvider = localProvider(evm.chains[1]!.chain.rpcUrl);
    try {
      expect(await ethProvider.getBalance(eth)).toBe(1_250_000_000_000_000_000n);
      const bscToken = new Contract(DEVNET_EVM_USDT, tetherTokenArtifact().abi, bscProvider);
      expect(await bscToken.getFunction('balanceOf')(eth)).toBe(12_500_000_000_000_000_000n);
    } finally {
      ethProvider.destroy();
      bscProvider.destroy();
    }
    const tronClient = createTronGridClient({ baseUrl: sims.urls.tron, apiKey: null });
    expect(await tronClient.trc20BalanceOf(sims.tron.usdtContract, tron)).toBe(7_000_000n);
    const tonClient = createToncenterClient({ baseUrl: sims.urls.ton, apiKey: null });
    expect(await tonClient.getAddressBalance(ton)).toBe(2_500_000_000n);
  });

  it('refuses bad arguments with exit 2 and a reason', async () => {
    const eth = deriveAddress(seed, 'ETH', 4);
    const cases = [
      ['--network', 'DOGE', '--to', eth, '--amount', '1'],
      ['--network', 'ETH', '--to', '0x1234', '--amount', '1'],
      ['--network', 'ETH', '--to', eth, '--amount', '-1'],
      ['--network', 'ETH', '--to', eth, '--amount', '0.1234567', '--token', 'USDT'],
      ['--network', 'ETH', '--to', eth, '--amount', '1', '--token', 'SHIB'],
    ];
    const results = await Promise.all(cases.map((c) => devnetSend(c)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]!.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/usage: npm run devnet:send/);
    });
  });
});

describe('devnet hot wallets at npm start', () => {
  it('fundDevnetHotWallets gives every hot wallet native coin and USDT on the four devnet chains', async () => {
    const chains = devnetProcess.load({ ...env }).chains;
    const hot = (network: 'ETH' | 'BSC' | 'TRON' | 'TON') => deriveAddress(seed, network, 0, 'hot');
    await fundDevnetHotWallets(chains, (network) => Promise.resolve(hot(network)), pino({ level: 'silent' }), 20_000);
    const ethProvider = localProvider(evm.chains[0]!.chain.rpcUrl);
    const bscProvider = localProvider(evm.chains[1]!.chain.rpcUrl);
    try {
      expect(await ethProvider.getBalance(hot('ETH'))).toBe(DEVNET_HOT_FUNDING.ETH.native);
      expect(await bscProvider.getBalance(hot('BSC'))).toBe(DEVNET_HOT_FUNDING.BSC.native);
      const bscToken = new Contract(DEVNET_EVM_USDT, tetherTokenArtifact().abi, bscProvider);
      expect(await bscToken.getFunction('balanceOf')(hot('BSC'))).toBe(DEVNET_HOT_FUNDING.BSC.usdtWhole * 10n ** 18n);
    } finally {
      ethProvider.destroy();
      bscProvider.destroy();
    }
    expect(sims.tron.balance(hot('TRON'))).toBe(DEVNET_HOT_FUNDING.TRON.native);
    expect(sims.tron.balance(hot('TRON'), 'USDT')).toBe(DEVNET_HOT_FUNDING.TRON.usdtWhole * 10n ** 6n);
    // + the 1 nanoton the jetton transfer forwards with its transfer_notification.
    expect(sims.ton.balance(hot('TON'))).toBe(DEVNET_HOT_FUNDING.TON.native + 1n);
    expect(sims.ton.jettonBalance(hot('TON'))).toBe(DEVNET_HOT_FUNDING.TON.usdtWhole * 10n ** 6n);
  });
});
