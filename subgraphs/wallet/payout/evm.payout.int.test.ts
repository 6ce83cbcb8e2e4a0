import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Wallet as EthersWallet, type JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployTestToken,
  localProvider,
  mintTestToken,
  rpc,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../../devnet/evm/local-chain.js';
import { walletMigrations } from '../../../migrations/wallet/index.js';
import { buildChainsConfig, chainEnvSchema } from '../../../platform/config/chains.js';
import { payouts as payoutsSection } from '../../../platform/config/payouts.js';
import { migrateSubgraph, openSubgraphDatabase, type MikroORM } from '../../../platform/db/orm.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { z } from 'zod';
import { CustodyVault } from '../custody-root/custody-vault.js';
import { createMasterKeyring, deriveAddress, mnemonicToSeed } from '../custody/index.js';
import { walletEntities } from '../entities.js';
import { createChainPayouts } from '../ports.js';
import type { ChainPayout, PayoutRequest, SignedPayout } from './payout.port.js';
import { SequenceAllocator } from './sequence.allocator.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const CONFIRMATIONS = 3;

interface EvmSide {
  chain: LocalEvmChain;
  provider: JsonRpcProvider;
  token: string;
  payout: ChainPayout;
}

let env: TestEnv;
let orm: MikroORM;
let orm2: MikroORM;
let seed: Uint8Array;
const sides = {} as Record<'ETH' | 'BSC', EvmSide>;
const recipient = '0x00000000000000000000000000000000000b0b01';

const erc20BalanceOf = async (side: EvmSide, owner: string): Promise<bigint> =>
  BigInt(
    await rpc<string>(side.chain.rpcUrl, 'eth_call', [
      { to: side.token, data: '0x70a08231' + owner.slice(2).toLowerCase().padStart(64, '0') },
      'latest',
    ]),
  );

async function mine(side: EvmSide, blocks: number): Promise<void> {
  for (let i = 0; i < blocks; i++) await rpc(side.chain.rpcUrl, 'evm_mine');
}

async function payAndConfirm(side: EvmSide, request: PayoutRequest): Promise<SignedPayout> {
  const quote = await side.payout.quoteFee(request);
  expect(quote.maxFee).toBeGreaterThanOrEqual(quote.expectedFee);
  const signed = await side.payout.sign(request, quote);
  await side.payout.broadcast(signed);
  await side.payout.broadcast(signed); // a second broadcast of the same bytes sends nothing more
  let status = await side.payout.status(signed);
  expect(['PENDING', 'CONFIRMED']).toContain(status.state);
  await mine(side, CONFIRMATIONS);
  status = await side.payout.status(signed);
  expect(status.state).toBe('CONFIRMED');
  expect(status.confirmations).toBeGreaterThanOrEqual(CONFIRMATIONS);
  expect(status.fee).not.toBeNull();
  expect(status.fee!).toBeLessThanOrEqual(signed.maxFee);
  await side.payout.broadcast(signed); // and after it is mined: still success, still one transfer
  return signed;
}

function openWalletOrm(url: string): Promise<MikroORM> {
  return openSubgraphDatabase({
    schema: 'wallet',
    url,
    poolMax: 2,
    entities: walletEntities,
    migrations: walletMigrations,
    log: env.log,
  });
}

beforeAll(async () => {
  env = await createTestEnv();
  [seed, orm] = await Promise.all([mnemonicToSeed(ABOUT), openWalletOrm(env.config.database.url)]);
  await migrateSubgraph(orm, 'wallet');
  orm2 = await openWalletOrm(env.config.database.url);
  const keyring = createMasterKeyring([{ id: 'k1', key: randomBytes(32) }], 'k1');
  await new CustodyVault(keyring, env.log).importRoot(orm.em.fork() as EntityManager, ABOUT, {
    replace: false,
    confirm: null,
  });

  const [eth, bsc] = await Promise.all([startLocalEvmChain({ chainId: 1337 }), startLocalEvmChain({ chainId: 1338 })]);
  const chainsEnv = z.object(chainEnvSchema).parse({
    DEVNET_CHAINS: 'false',
    CHAIN_ETH_RPC_URL: eth.rpcUrl,
    CHAIN_BSC_RPC_URL: bsc.rpcUrl,
    CHAIN_ETH_CONFIRMATIONS: String(CONFIRMATIONS),
    CHAIN_BSC_CONFIRMATIONS: String(CONFIRMATIONS),
  });
  const tokens = await Promise.all([
    deployTestToken(eth.rpcUrl, eth.accounts[0]!.privateKey, { decimals: 6 }),
    deployTestToken(bsc.rpcUrl, bsc.accounts[0]!.privateKey, { decimals: 18 }),
  ]);
  chainsEnv.CHAIN_ETH_USDT_CONTRACT = tokens[0];
  chainsEnv.CHAIN_BSC_USDT_CONTRACT = tokens[1];
  const chains = buildChainsConfig(chainsEnv, { production: false, host: '127.0.0.1', problem: () => undefined });
  const payoutConfig = payoutsSection.build(z.object(payoutsSection.shape).parse({}), {} as never);
  const payouts = createChainPayouts({
    em: () => orm.em.fork() as EntityManager,
    keyring,
    chains: { ...chains, networks: { ...chains.networks, TRON: null, TON: null } },
    payouts: payoutConfig,
    log: env.log,
  });
  for (const [network, chain, token] of [
    ['ETH', eth, tokens[0]],
    ['BSC', bsc, tokens[1]],
  ] as const) {
    const side: EvmSide = { chain, provider: localProvider(chain.rpcUrl), token, payout: payouts.get(network)! };
    sides[network] = side;
    const hot = await side.payout.hotAddress();
    const deposit = deriveAddress(seed, network, 5);
    const funder = new EthersWallet(chain.accounts[0]!.privateKey, side.provider);
    for (const to of [hot, deposit]) await (await funder.sendTransaction({ to, value: 10n ** 19n })).wait();
    await mintTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey, token, hot, 10n ** 24n);
    await mintTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey, token, deposit, 10n ** 24n);
  }
}, 120_000);

afterAll(async () => {
  for (const side of Object.values(sides)) {
    side.provider.destroy();
    await side.chain.stop();
  }
  await orm2?.close(true);
  await orm?.close(true);
  await env?.cleanup();
});

describe('EVM payouts on hardhat (ETH and BSC)', () => {
  it('the hot wallet is the hot branch of the active root', async () => {
    expect(await sides.ETH.payout.hotAddress()).toBe(deriveAddress(seed, 'ETH', 0, 'hot'));
    expect(await sides.BSC.payout.hotAddress()).toBe(deriveAddress(seed, 'BSC', 0, 'hot'));
  });

  it.each([
    ['ETH', 'ETH', 1_234_567_890_123n],
    ['ETH', 'USDT_ETH', 12_345_678n],
    ['BSC', 'BNB', 987_654_321_000n],
    ['BSC', 'USDT_BSC', 5n * 10n ** 18n + 7n],
  ] as const)(
    '%s %s: quote → sign → broadcast twice → CONFIRMED, recipient +amount exactly',
    async (network, asset, amount) => {
      const side = sides[network];
      const token = asset.startsWith('USDT');
      const balance = () => (token ? erc20BalanceOf(side, recipient) : side.provider.getBalance(recipient));
      const before = await balance();
      const hot = await side.payout.hotAddress();
      const nonceBefore = await side.provider.getTransactionCount(hot, 'latest');
      const signed = await payAndConfirm(side, {
        network,
        asset,
        from: { kind: 'hot' },
        to: recipient,
        amount,
        reference: `wd_${network}_${asset}`,
      });
      expect(signed.from).toBe(hot);
      expect(await balance()).toBe(before + amount);
      expect(await side.provider.getTransactionCount(hot, 'latest')).toBe(nonceBefore + 1);
    },
  );

  it('a payout from a deposit index (a sweep) signs with that key', async () => {
    const side = sides.ETH;
    const deposit = deriveAddress(seed, 'ETH', 5);
    const hot = await side.payout.hotAddress();
    const before = await erc20BalanceOf(side, hot);
    const signed = await payAndConfirm(side, {
      network: 'ETH',
      asset: 'USDT_ETH',
      from: { kind: 'deposit', index: 5 },
      to: hot,
      amount: 777_000n,
      reference: 'sweep_eth_5',
    });
    expect(signed.from).toBe(deposit);
    expect(await erc20BalanceOf(side, hot)).toBe(before + 777_000n);
  });

  it('signing the same payout again (a crash before it was stored) reuses its nonce', async () => {
    const side = sides.BSC;
    const request: PayoutRequest = {
      network: 'BSC',
      asset: 'BNB',
      from: { kind: 'hot' },
      to: recipient,
      amount: 1n,
      reference: 'wd_resign',
    };
    const quote = await side.payout.quoteFee(request);
    const first = await side.payout.sign(request, quote);
    const again = await side.payout.sign(request, quote);
    expect(again.sequence).toBe(first.sequence);
    await side.payout.broadcast(again);
    await mine(side, CONFIRMATIONS);
    expect((await side.payout.status(again)).state).toBe('CONFIRMED');
  });

  it('a stuck transaction is replaced with the same nonce and a higher fee; only one is mined', async () => {
    const side = sides.ETH;
    const hot = await side.payout.hotAddress();
    const request: PayoutRequest = {
      network: 'ETH',
      asset: 'ETH',
      from: { kind: 'hot' },
      to: recipient,
      amount: 10n ** 15n,
      reference: 'wd_stuck',
    };
    const before = await side.provider.getBalance(recipient);
    await rpc(side.chain.rpcUrl, 'evm_setAutomine', [false]);
    try {
      const stuck = await side.payout.sign(request, await side.payout.quoteFee(request));
      await side.payout.broadcast(stuck);
      expect((await side.payout.status(stuck)).state).toBe('PENDING');
      const replacement = (await side.payout.replace(request, stuck))!;
      expect(replacement.sequence).toBe(stuck.sequence);
      expect(replacement.txHash).not.toBe(stuck.txHash);
      expect(replacement.maxFee * 1000n).toBeGreaterThanOrEqual(stuck.maxFee * 1125n);
      await side.payout.broadcast(replacement);
      await rpc(side.chain.rpcUrl, 'evm_mine');
      // The sibling is mined but not final: the stuck version cannot say FAILED yet.
      expect((await side.payout.status(stuck)).state).toBe('UNKNOWN');
      await expect(side.payout.broadcast(stuck)).rejects.toMatchObject({ code: 'PAYOUT_SEQUENCE_USED' });
      await mine(side, CONFIRMATIONS);
      expect((await side.payout.status(replacement)).state).toBe('CONFIRMED');
      expect((await side.payout.status(stuck)).state).toBe('FAILED');
      expect(await side.provider.getBalance(recipient)).toBe(before + 10n ** 15n);
      expect(await side.provider.getTransactionCount(hot, 'latest')).toBe(Number(stuck.sequence) + 1);
    } finally {
      await rpc(side.chain.rpcUrl, 'evm_setAutomine', [true]);
    }
  });

  it('a token sweep can be quoted before its gas top-up arrives (the address holds no native coin)', async () => {
    const side = sides.BSC;
    const deposit = deriveAddress(seed, 'BSC', 6);
    await mintTestToken(side.chain.rpcUrl, side.chain.accounts[0]!.privateKey, side.token, deposit, 10n ** 18n);
    expect(await side.provider.getBalance(deposit)).toBe(0n);
    const request: PayoutRequest = {
      network: 'BSC',
      asset: 'USDT_BSC',
      from: { kind: 'deposit', index: 6 },
      to: await side.payout.hotAddress(),
      amount: 10n ** 18n,
      reference: 'sweep_bsc_6',
    };
    const quote = await side.payout.quoteFee(request);
    // Top up exactly the most the sweep can cost, then sweep.
    const funder = new EthersWallet(side.chain.accounts[0]!.privateKey, side.provider);
    await (await funder.sendTransaction({ to: deposit, value: quote.maxFee })).wait();
    const signed = await side.payout.sign(request, quote);
    await side.payout.broadcast(signed);
    await mine(side, CONFIRMATIONS);
    const status = await side.payout.status(signed);
    expect(status.state).toBe('CONFIRMED');
    expect(await erc20BalanceOf(side, deposit)).toBe(0n);
    expect(await side.provider.getBalance(deposit)).toBe(quote.maxFee - status.fee!);
  });

  it('a transfer the chain would revert is refused at the quote', async () => {
    await expect(
      sides.ETH.payout.quoteFee({
        network: 'ETH',
        asset: 'USDT_ETH',
        from: { kind: 'deposit', index: 9 },
        to: recipient,
        amount: 1n,
        reference: 'wd_empty',
      }),
    ).rejects.toMatchObject({ code: 'PAYOUT_WOULD_FAIL' });
  });
});

describe('nonce allocator', () => {
  it('two connections allocating 100 nonces in parallel never hand out the same one', async () => {
    const a = new SequenceAllocator(() => orm.em.fork() as EntityManager);
    const b = new SequenceAllocator(() => orm2.em.fork() as EntityManager);
    const address = '0x00000000000000000000000000000000000a11c0';
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? a : b).allocateNonce('ETH', address, `ref_${i}`, 7n).then((r) => r.sequence),
      ),
    );
    const sorted = [...results].sort((x, y) => (x < y ? -1 : 1));
    expect(new Set(results).size).toBe(100);
    expect(sorted[0]).toBe(7n);
    expect(sorted[99]).toBe(106n);
    // A restart (a new allocator) continues after them; the chain's pending count raises the floor.
    const fresh = new SequenceAllocator(() => orm2.em.fork() as EntityManager);
    expect((await fresh.allocateNonce('ETH', address, 'after_restart', 7n)).sequence).toBe(107n);
    expect((await fresh.allocateNonce('ETH', address, 'chain_ahead', 200n)).sequence).toBe(200n);
    expect(await fresh.allocateNonce('ETH', address, 'ref_0', 0n)).toEqual({ sequence: results[0], existing: true });
    // Outstanding above 150: after_restart is below; chain_ahead (200) sits after a gap 150…199.
    expect(await fresh.outstanding('ETH', address, 150n)).toEqual([{ sequence: 200n, reference: 'chain_ahead' }]);
    expect((await fresh.outstanding('ETH', address, 7n)).map((o) => o.sequence)).toEqual([...sorted, 107n, 200n]);
  });
});
