import type { EntityManager } from '@mikro-orm/postgresql';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTonSimulator, type TonSimulator } from '../../../devnet/ton/toncenter.simulator.js';
import { walletMigrations } from '../../../migrations/wallet/index.js';
import { buildChainsConfig, chainEnvSchema } from '../../../platform/config/chains.js';
import { payouts as payoutsSection } from '../../../platform/config/payouts.js';
import { migrateSubgraph, openSubgraphDatabase, type MikroORM } from '../../../platform/db/orm.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { CustodyVault } from '../custody-root/custody-vault.js';
import { deriveAddress, mnemonicToSeed } from '../custody/index.js';
import { walletEntities } from '../entities.js';
import { buildKeyring } from '../custody-root/keyring.js';
import { createChainPayouts, openChainPayouts } from '../ports.js';
import type { ChainPayout, PayoutRequest, SignedPayout } from './payout.port.js';
import { SequenceAllocator } from './sequence.allocator.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const TON = 10n ** 9n;

let env: TestEnv;
let orm: MikroORM;
let seed: Uint8Array;
let sim: TonSimulator;
let payout: ChainPayout;
let recipient: string;

async function payAndConfirm(request: PayoutRequest): Promise<SignedPayout> {
  const quote = await payout.quoteFee(request);
  expect(quote.feeAsset).toBe('TON');
  expect(quote.maxFee).toBeGreaterThan(0n);
  const signed = await payout.sign(request, quote);
  expect((await payout.status(signed)).state).toBe('UNKNOWN');
  await payout.broadcast(signed);
  await payout.broadcast(signed); // the seqno is consumed by this very message: success, nothing sent twice
  expect((await payout.status(signed)).state).toBe('PENDING');
  sim.mine(1);
  const status = await payout.status(signed);
  expect(status.state).toBe('CONFIRMED');
  expect(status.confirmations).toBeGreaterThanOrEqual(1);
  expect(status.fee!).toBeLessThanOrEqual(signed.maxFee);
  await payout.broadcast(signed);
  return signed;
}

beforeAll(async () => {
  env = await createTestEnv();
  seed = await mnemonicToSeed(ABOUT);
  orm = await openSubgraphDatabase({
    schema: 'wallet',
    url: env.config.database.url,
    poolMax: 2,
    entities: walletEntities,
    migrations: walletMigrations,
    log: env.log,
  });
  await migrateSubgraph(orm, 'wallet');
  const keyring = buildKeyring(env.config);
  await new CustodyVault(keyring, env.log).importRoot(orm.em.fork() as EntityManager, ABOUT, {
    replace: false,
    confirm: null,
  });
  sim = await startTonSimulator({ blockIntervalMs: null });
  const chains = buildChainsConfig(
    z.object(chainEnvSchema).parse({ DEVNET_CHAINS: 'false', CHAIN_TON_API_URL: sim.url }),
    { production: false, host: '127.0.0.1', problem: () => undefined },
  );
  payout = createChainPayouts({
    em: () => orm.em.fork() as EntityManager,
    keyring,
    chains,
    payouts: payoutsSection.build(z.object(payoutsSection.shape).parse({}), {} as never),
    log: pino({ level: 'silent' }),
  }).get('TON')!;
  recipient = deriveAddress(seed, 'TON', 77);
  const hot = await payout.hotAddress();
  for (const to of [hot, deriveAddress(seed, 'TON', 5)]) {
    sim.send({ to, amount: 100n * TON });
    sim.send({ to, amount: 50_000_000n, jetton: 'USDT' });
  }
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await orm?.close(true);
  await env?.cleanup();
});

describe('TON payouts on the toncenter simulator', () => {
  it('the hot wallet is the hot branch of the active root', async () => {
    expect(await payout.hotAddress()).toBe(deriveAddress(seed, 'TON', 0, 'hot'));
  });

  it('TON (deploying the hot wallet with its first message): +amount exactly, with a comment', async () => {
    const before = sim.balance(recipient);
    const signed = await payAndConfirm({
      network: 'TON',
      asset: 'TON',
      from: { kind: 'hot' },
      to: recipient,
      amount: 1_234_567_890n,
      memo: 'withdrawal wd_ton',
      reference: 'wd_ton',
    });
    expect(signed.sequence).toBe(0n);
    expect(sim.balance(recipient)).toBe(before + 1_234_567_890n);
  });

  it('USDT jetton: the recipient owner gets +amount exactly', async () => {
    const before = sim.jettonBalance(recipient);
    const signed = await payAndConfirm({
      network: 'TON',
      asset: 'USDT_TON',
      from: { kind: 'hot' },
      to: recipient,
      amount: 7_654_321n,
      reference: 'wd_usdt_ton',
    });
    expect(signed.sequence).toBe(1n);
    expect(sim.jettonBalance(recipient)).toBe(before + 7_654_321n);
  });

  it('sends from one wallet are serialised: a second payout waits until the first seqno is consumed', async () => {
    const request = (reference: string): PayoutRequest => ({
      network: 'TON',
      asset: 'TON',
      from: { kind: 'hot' },
      to: recipient,
      amount: TON,
      reference,
    });
    const first = await payout.sign(request('wd_a'), await payout.quoteFee(request('wd_a')));
    await expect(payout.sign(request('wd_b'), await payout.quoteFee(request('wd_b')))).rejects.toMatchObject({
      code: 'PAYOUT_SEQUENCE_BUSY',
    });
    // The same payout signed again (a crash before it was stored) keeps its seqno. In a later second its
    // valid_until differs, so it is another message (within the same second it would be the very same one).
    await new Promise((r) => setTimeout(r, 1_005 - (Date.now() % 1_000)));
    const again = await payout.sign(request('wd_a'), await payout.quoteFee(request('wd_a')));
    expect(again.sequence).toBe(first.sequence);
    expect(again.txHash).not.toBe(first.txHash);
    await payout.broadcast(again);
    sim.mine(1);
    expect((await payout.status(again)).state).toBe('CONFIRMED');
    // The first signature of wd_a holds the same seqno: it can never land now.
    await expect(payout.broadcast(first)).resolves.toBeUndefined();
    expect((await payout.status(first)).state).toBe('PENDING');
    const second = await payout.sign(request('wd_b'), await payout.quoteFee(request('wd_b')));
    expect(second.sequence).toBe(first.sequence! + 1n);
    await payout.broadcast(second);
    sim.mine(1);
    expect((await payout.status(second)).state).toBe('CONFIRMED');
  });

  it('a seqno held by an expired message is handed out again', async () => {
    const allocator = new SequenceAllocator(() => orm.em.fork() as EntityManager);
    const address = deriveAddress(seed, 'TON', 900);
    const now = new Date('2026-12-07T10:00:00Z');
    const validUntil = new Date(now.getTime() + 60_000);
    expect((await allocator.allocateSeqno('TON', address, 'x1', 4n, validUntil, now)).sequence).toBe(4n);
    await expect(allocator.allocateSeqno('TON', address, 'x2', 4n, validUntil, now)).rejects.toMatchObject({
      code: 'PAYOUT_SEQUENCE_BUSY',
    });
    const later = new Date(validUntil.getTime() + 1);
    expect((await allocator.allocateSeqno('TON', address, 'x2', 4n, later, later)).sequence).toBe(4n);
  });

  it('a sweep from a deposit index signs with that key (and deploys its wallet)', async () => {
    const hot = await payout.hotAddress();
    const before = sim.jettonBalance(hot);
    const signed = await payAndConfirm({
      network: 'TON',
      asset: 'USDT_TON',
      from: { kind: 'deposit', index: 5 },
      to: hot,
      amount: 1_000_000n,
      reference: 'sweep_ton_5',
    });
    expect(signed.from).toBe(deriveAddress(seed, 'TON', 5));
    expect(sim.jettonBalance(hot)).toBe(before + 1_000_000n);
  });

  it('a jetton sweep is quoted before its TON top-up; a top-up of exactly maxFee suffices', async () => {
    const deposit = deriveAddress(seed, 'TON', 6);
    sim.send({ to: deposit, amount: 2_000_000n, jetton: 'USDT' });
    const hot = await payout.hotAddress();
    const before = sim.jettonBalance(hot);
    const request: PayoutRequest = {
      network: 'TON',
      asset: 'USDT_TON',
      from: { kind: 'deposit', index: 6 },
      to: hot,
      amount: 2_000_000n,
      reference: 'sweep_ton_6',
    };
    const quote = await payout.quoteFee(request);
    sim.send({ to: deposit, amount: quote.maxFee });
    const signed = await payout.sign(request, quote);
    await payout.broadcast(signed);
    sim.mine(1);
    expect((await payout.status(signed)).state).toBe('CONFIRMED');
    expect(sim.jettonBalance(deposit)).toBe(0n);
    expect(sim.jettonBalance(hot)).toBe(before + 2_000_000n);
  });

  it('openChainPayouts: what a worker process opens from its configuration', async () => {
    const opened = await openChainPayouts({ config: env.config, log: pino({ level: 'silent' }) });
    try {
      expect([...opened.payouts.keys()].sort()).toEqual(['BSC', 'ETH', 'TON', 'TRON']);
      for (const [network, chainPayout] of opened.payouts) {
        expect(chainPayout.network).toBe(network);
        expect(await chainPayout.hotAddress()).toBe(deriveAddress(seed, network, 0, 'hot'));
      }
      const held = await opened.outstandingSequences('TON', await payout.hotAddress(), 0n);
      expect(held.slice(0, 2)).toEqual([
        { sequence: 0n, reference: 'wd_ton' },
        { sequence: 1n, reference: 'wd_usdt_ton' },
      ]);
    } finally {
      await opened.close();
    }
  });

  it('replace is not a TON operation', async () => {
    expect(await payout.replace({} as PayoutRequest, {} as SignedPayout)).toBeNull();
  });
});
