import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Wallet as EthersWallet, type JsonRpcProvider } from 'ethers';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localProvider, rpc, startLocalEvmChain, type LocalEvmChain } from '../../../devnet/evm/local-chain.js';
import { walletMigrations } from '../../../migrations/wallet/index.js';
import { buildChainsConfig, chainEnvSchema } from '../../../platform/config/chains.js';
import { payouts as payoutsSection } from '../../../platform/config/payouts.js';
import { migrateSubgraph, openSubgraphDatabase, type MikroORM } from '../../../platform/db/orm.js';
import { usdtOf } from '../../../platform/money/assets.js';
import { createChainBalanceReader, type ChainBalanceReader } from '../../../providers/chain-balance/index.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { CustodyVault } from '../custody-root/custody-vault.js';
import { createMasterKeyring } from '../custody/index.js';
import { walletEntities } from '../entities.js';
import type { ChainPayout } from '../payout/payout.port.js';
import { createChainPayouts } from '../ports.js';
import { treasuryAddresses } from '../treasury/treasury-addresses.js';
import { TreasuryService, type FloorAlert } from '../treasury/treasury.service.js';
import { MoveRunner } from './move.runner.js';
import { MoveStore, type TreasuryMove } from './move.store.js';

/**
 * Crash safety of treasury moves against a real hardhat chain and the real EVM payout: a move is recorded before
 * it is signed, its signed bytes are stored before they are broadcast, and whatever step a worker dies at, the
 * next one finishes it with the same transaction: one transfer on chain, never two.
 */

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const ETH = 10n ** 18n;

let env: TestEnv;
let orm: MikroORM;
let chain: LocalEvmChain;
let provider: JsonRpcProvider;
let payout: ChainPayout;
let reader: ChainBalanceReader;
let hot: string;
const store = new MoveStore();
const em = () => orm.em.fork() as EntityManager;

beforeAll(async () => {
  env = await createTestEnv();
  orm = await openSubgraphDatabase({
    schema: 'wallet',
    url: env.config.database.url,
    poolMax: 4,
    entities: walletEntities,
    migrations: walletMigrations,
    log: env.log,
  });
  await migrateSubgraph(orm, 'wallet');
  const keyring = createMasterKeyring([{ id: 'k1', key: randomBytes(32) }], 'k1');
  await new CustodyVault(keyring, env.log).importRoot(em(), ABOUT, { replace: false, confirm: null });
  chain = await startLocalEvmChain({ chainId: 1337 });
  provider = localProvider(chain.rpcUrl);
  const chains = buildChainsConfig(
    z
      .object(chainEnvSchema)
      .parse({ DEVNET_CHAINS: 'false', CHAIN_ETH_RPC_URL: chain.rpcUrl, CHAIN_ETH_CONFIRMATIONS: '2' }),
    { production: false, host: '127.0.0.1', problem: () => undefined },
  );
  const payoutConfig = payoutsSection.build(z.object(payoutsSection.shape).parse({}), {} as never);
  payout = createChainPayouts({
    em,
    keyring,
    chains: { ...chains, networks: { ETH: chains.networks.ETH, BSC: null, TRON: null, TON: null } },
    payouts: payoutConfig,
    log: env.log,
  }).get('ETH')!;
  reader = createChainBalanceReader(
    {
      eth: { rpcUrl: chain.rpcUrl },
      bsc: { rpcUrl: chain.rpcUrl },
      tron: { baseUrl: 'http://127.0.0.1:9', apiKey: null },
      ton: { baseUrl: 'http://127.0.0.1:9', apiKey: null },
      usdtContracts: {
        ETH: chains.networks.ETH!.usdtContract,
        BSC: chains.networks.ETH!.usdtContract,
        TRON: usdtOf('TRON').contract!,
        TON: usdtOf('TON').contract!,
      },
    },
    { resilience: { retries: 0 } },
  );
  hot = await payout.hotAddress();
  const funder = new EthersWallet(chain.accounts[0]!.privateKey, provider);
  await (await funder.sendTransaction({ to: hot, value: 20n * ETH })).wait();
}, 120_000);

afterAll(async () => {
  provider?.destroy();
  await chain?.stop();
  await orm?.close(true);
  await env?.cleanup();
});

const mine = async (blocks: number) => {
  for (let i = 0; i < blocks; i++) await rpc(chain.rpcUrl, 'evm_mine');
};

function runnerWith(p: ChainPayout): MoveRunner {
  return new MoveRunner({ store, payouts: new Map([['ETH', p]]), reader, log: env.log });
}

async function coldMove(to: string, amount: bigint): Promise<TreasuryMove> {
  const [move] = (await store.plan(em(), [
    {
      kind: 'COLD',
      network: 'ETH',
      asset: 'ETH',
      source: { kind: 'hot' },
      fromAddress: hot,
      toAddress: to,
      amount,
      feeAsset: 'ETH',
    },
  ]))!;
  return move!;
}

async function settle(runner: MoveRunner, id: string): Promise<TreasuryMove> {
  for (let i = 0; i < 20; i++) {
    await runner.advanceAll(em(), 'ETH');
    const move = (await store.get(em(), id))!;
    if (move.status === 'CONFIRMED' || move.status === 'FAILED') return move;
    await mine(1);
  }
  throw new Error(`move ${id} did not settle`);
}

describe('treasury moves survive crashes without sending twice', () => {
  it('killed between signing and broadcasting: the stored bytes are broadcast later, one transfer', async () => {
    const to = EthersWallet.createRandom().address;
    const move = await coldMove(to, 1n * ETH);
    const nonceBefore = await provider.getTransactionCount(hot, 'latest');
    const dying: ChainPayout = {
      ...payout,
      quoteFee: (r) => payout.quoteFee(r),
      sign: (r, q) => payout.sign(r, q),
      broadcast: () => Promise.reject(new Error('killed')),
      status: (s) => payout.status(s),
      replace: (r, s) => payout.replace(r, s),
      hotAddress: () => payout.hotAddress(),
      network: 'ETH',
    };
    await runnerWith(dying).advanceAll(em(), 'ETH');
    const signed = (await store.get(em(), move.id))!;
    expect(signed.status).toBe('SIGNED');
    expect(signed.signed?.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const done = await settle(runnerWith(payout), move.id);
    expect(done.status).toBe('CONFIRMED');
    expect(done.signed!.txHash).toBe(signed.signed!.txHash);
    expect(await provider.getBalance(to)).toBe(1n * ETH);
    expect(await provider.getTransactionCount(hot, 'latest')).toBe(nonceBefore + 1);
    expect(done.fee).toBeGreaterThan(0n);
  });

  it('killed between broadcasting and recording it: the retry is "already known", one transfer', async () => {
    const to = EthersWallet.createRandom().address;
    const move = await coldMove(to, 2n * ETH);
    const nonceBefore = await provider.getTransactionCount(hot, 'latest');
    const dying: ChainPayout = {
      ...payout,
      quoteFee: (r) => payout.quoteFee(r),
      sign: (r, q) => payout.sign(r, q),
      broadcast: async (s) => {
        await payout.broadcast(s);
        throw new Error('killed after the send');
      },
      status: (s) => payout.status(s),
      replace: (r, s) => payout.replace(r, s),
      hotAddress: () => payout.hotAddress(),
      network: 'ETH',
    };
    await runnerWith(dying).advanceAll(em(), 'ETH');
    expect((await store.get(em(), move.id))!.status).toBe('SIGNED');
    await mine(1);
    const done = await settle(runnerWith(payout), move.id);
    expect(done.status).toBe('CONFIRMED');
    expect(await provider.getBalance(to)).toBe(2n * ETH);
    expect(await provider.getTransactionCount(hot, 'latest')).toBe(nonceBefore + 1);
  });

  it('two workers advancing the same moves at once: each move is signed and sent once', async () => {
    const targets = [EthersWallet.createRandom().address, EthersWallet.createRandom().address];
    const topUp = (to: string, amount: bigint) =>
      store.plan(em(), [
        {
          kind: 'GAS_TOPUP',
          network: 'ETH',
          asset: 'ETH',
          source: { kind: 'hot' },
          fromAddress: hot,
          toAddress: to,
          amount,
          feeAsset: 'ETH',
        },
      ]);
    for (const t of targets) expect(await topUp(t, ETH / 10n)).toHaveLength(1);
    // One open move per thing it moves: a second top-up of the same address is refused while the first is open.
    expect(await topUp(targets[0]!, ETH)).toBeNull();
    const nonceBefore = await provider.getTransactionCount(hot, 'latest');
    const [a, b] = [runnerWith(payout), runnerWith(payout)];
    for (let i = 0; i < 15; i++) {
      await Promise.all([a.advanceAll(em(), 'ETH'), b.advanceAll(em(), 'ETH')]);
      await mine(1);
    }
    const all = await store.list(em(), { kind: 'GAS_TOPUP' });
    expect(all.map((m) => m.status)).toEqual(['CONFIRMED', 'CONFIRMED']);
    for (const t of targets) expect(await provider.getBalance(t)).toBe(ETH / 10n);
    expect(await provider.getTransactionCount(hot, 'latest')).toBe(nonceBefore + 2);
  });

  it('the band: above the ceiling one cold move (not two while it is open); below the floor an alert', async () => {
    const cold = EthersWallet.createRandom().address;
    const alerts: (FloorAlert | null)[] = [];
    const treasury = (floor: bigint, ceiling: bigint) =>
      new TreasuryService(
        store,
        new Map([['ETH', payout]]),
        reader,
        treasuryAddresses({ ETH: cold }, { ETH: payout }),
        { ETH: { floor, ceiling } },
        env.log,
        (alert) => alerts.push(alert),
      );
    const balance = await provider.getBalance(hot);
    const planned = await treasury(ETH, balance - 3n * ETH).rebalance(em(), 'ETH');
    expect(planned.map((m) => [m.kind, m.asset, m.amount, m.toAddress])).toEqual([['COLD', 'ETH', 3n * ETH, cold]]);
    expect(await treasury(ETH, balance - 5n * ETH).rebalance(em(), 'ETH')).toEqual([]);
    await settle(runnerWith(payout), planned[0]!.id);
    expect(await provider.getBalance(cold)).toBe(3n * ETH);
    await treasury(1000n * ETH, 10_000n * ETH).rebalance(em(), 'ETH');
    expect(alerts[alerts.length - 1]).toMatchObject({ network: 'ETH', asset: 'ETH', floor: 1000n * ETH });
    expect(alerts.slice(0, 2)).toEqual([null, null]);
  });
});
