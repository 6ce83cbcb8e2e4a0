import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTronSimulator, type TronSimulator } from '../../../devnet/tron/trongrid.simulator.js';
import { walletMigrations } from '../../../migrations/wallet/index.js';
import { buildChainsConfig, chainEnvSchema } from '../../../platform/config/chains.js';
import { payouts as payoutsSection } from '../../../platform/config/payouts.js';
import { migrateSubgraph, openSubgraphDatabase, type MikroORM } from '../../../platform/db/orm.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { CustodyVault } from '../custody-root/custody-vault.js';
import { createMasterKeyring, deriveAddress, mnemonicToSeed } from '../custody/index.js';
import { walletEntities } from '../entities.js';
import { createChainPayouts } from '../ports.js';
import type { ChainPayout, PayoutRequest, SignedPayout } from './payout.port.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const CONFIRMATIONS = 19;

let env: TestEnv;
let orm: MikroORM;
let seed: Uint8Array;
let sim: TronSimulator;
let payout: ChainPayout;
let recipient: string;

async function payAndConfirm(request: PayoutRequest): Promise<SignedPayout> {
  const quote = await payout.quoteFee(request);
  expect(quote.feeAsset).toBe('TRX');
  expect(quote.maxFee).toBeGreaterThanOrEqual(quote.expectedFee);
  const signed = await payout.sign(request, quote);
  expect(signed.sequence).toBeNull();
  expect(signed.expiresAt!.getTime()).toBeGreaterThan(Date.now());
  expect((await payout.status(signed)).state).toBe('UNKNOWN');
  await payout.broadcast(signed);
  await payout.broadcast(signed); // DUP_TRANSACTION_ERROR: success, nothing sent twice
  sim.mine(1);
  const pending = await payout.status(signed);
  expect(pending.state).toBe('PENDING');
  expect(pending.confirmations).toBe(1);
  sim.mine(CONFIRMATIONS);
  const status = await payout.status(signed);
  expect(status.state).toBe('CONFIRMED');
  expect(status.fee!).toBeLessThanOrEqual(signed.maxFee);
  await payout.broadcast(signed); // after it landed: still success
  sim.mine(1);
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
  const keyring = createMasterKeyring([{ id: 'k1', key: randomBytes(32) }], 'k1');
  await new CustodyVault(keyring, env.log).importRoot(orm.em.fork() as EntityManager, ABOUT, {
    replace: false,
    confirm: null,
  });
  sim = await startTronSimulator({ blockIntervalMs: null });
  const chains = buildChainsConfig(
    z.object(chainEnvSchema).parse({
      DEVNET_CHAINS: 'false',
      CHAIN_TRON_API_URL: sim.url,
      CHAIN_TRON_CONFIRMATIONS: String(CONFIRMATIONS),
      CHAIN_TRON_USDT_CONTRACT: sim.usdtContract,
    }),
    { production: false, host: '127.0.0.1', problem: () => undefined },
  );
  payout = createChainPayouts({
    em: () => orm.em.fork() as EntityManager,
    keyring,
    chains,
    payouts: payoutsSection.build(z.object(payoutsSection.shape).parse({}), {} as never),
    log: pino({ level: 'silent' }),
  }).get('TRON')!;
  recipient = deriveAddress(seed, 'TRON', 77);
  const hot = await payout.hotAddress();
  for (const to of [hot, deriveAddress(seed, 'TRON', 5)]) {
    sim.send({ to, amount: 1_000_000_000n });
    sim.send({ to, amount: 50_000_000n, token: 'USDT' });
  }
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await orm?.close(true);
  await env?.cleanup();
});

describe('TRON payouts on the TronGrid simulator', () => {
  it('the hot wallet is the hot branch of the active root', async () => {
    expect(await payout.hotAddress()).toBe(deriveAddress(seed, 'TRON', 0, 'hot'));
  });

  it('TRX to a new account: the quote includes activation; CONFIRMED after solidification, +amount exactly', async () => {
    const quote = await payout.quoteFee({
      network: 'TRON',
      asset: 'TRX',
      from: { kind: 'hot' },
      to: recipient,
      amount: 1n,
      reference: 'q',
    });
    expect(BigInt(quote.detail.activationSun!)).toBeGreaterThan(0n);
    const before = sim.balance(recipient);
    await payAndConfirm({
      network: 'TRON',
      asset: 'TRX',
      from: { kind: 'hot' },
      to: recipient,
      amount: 12_345_678n,
      reference: 'wd_trx',
    });
    expect(sim.balance(recipient)).toBe(before + 12_345_678n);
  });

  it('USDT TRC20 with a fee limit from the energy estimate: +amount exactly, fee within the limit', async () => {
    const before = sim.balance(recipient, 'USDT');
    const hot = await payout.hotAddress();
    const hotTrx = sim.balance(hot);
    const request: PayoutRequest = {
      network: 'TRON',
      asset: 'USDT_TRON',
      from: { kind: 'hot' },
      to: recipient,
      amount: 7_654_321n,
      reference: 'wd_usdt_tron',
    };
    const quote = await payout.quoteFee(request);
    expect(BigInt(quote.detail.energy!)).toBeGreaterThan(0n);
    expect(BigInt(quote.detail.feeLimit!)).toBeGreaterThanOrEqual(
      BigInt(quote.detail.energy!) * BigInt(quote.detail.energyPriceSun!),
    );
    const signed = await payAndConfirm(request);
    const status = await payout.status(signed);
    expect(sim.balance(recipient, 'USDT')).toBe(before + 7_654_321n);
    expect(sim.balance(hot)).toBe(hotTrx - status.fee!);
    expect(JSON.parse(signed.raw).raw_data.fee_limit).toBe(Number(quote.detail.feeLimit));
  });

  it('a sweep from a deposit index signs with that key', async () => {
    const hot = await payout.hotAddress();
    const before = sim.balance(hot, 'USDT');
    const signed = await payAndConfirm({
      network: 'TRON',
      asset: 'USDT_TRON',
      from: { kind: 'deposit', index: 5 },
      to: hot,
      amount: 1_000_000n,
      reference: 'sweep_tron_5',
    });
    expect(signed.from).toBe(deriveAddress(seed, 'TRON', 5));
    expect(sim.balance(hot, 'USDT')).toBe(before + 1_000_000n);
  });

  it('a TRC20 sweep is quoted before its TRX top-up; a top-up of exactly maxFee suffices', async () => {
    const deposit = deriveAddress(seed, 'TRON', 6);
    sim.send({ to: deposit, amount: 3_000_000n, token: 'USDT' });
    expect(sim.balance(deposit)).toBe(0n);
    const request: PayoutRequest = {
      network: 'TRON',
      asset: 'USDT_TRON',
      from: { kind: 'deposit', index: 6 },
      to: await payout.hotAddress(),
      amount: 3_000_000n,
      reference: 'sweep_tron_6',
    };
    const quote = await payout.quoteFee(request);
    sim.send({ to: deposit, amount: quote.maxFee });
    const signed = await payout.sign(request, quote);
    await payout.broadcast(signed);
    sim.mine(CONFIRMATIONS + 1);
    const status = await payout.status(signed);
    expect(status.state).toBe('CONFIRMED');
    expect(sim.balance(deposit, 'USDT')).toBe(0n);
    expect(sim.balance(deposit)).toBe(quote.maxFee - status.fee!);
  });

  it('more USDT than the address holds is refused at the quote', async () => {
    await expect(
      payout.quoteFee({
        network: 'TRON',
        asset: 'USDT_TRON',
        from: { kind: 'deposit', index: 9 },
        to: recipient,
        amount: 1n,
        reference: 'wd_empty',
      }),
    ).rejects.toMatchObject({ code: 'PAYOUT_WOULD_FAIL' });
  });

  it('replace is not a TRON operation', async () => {
    expect(await payout.replace({} as PayoutRequest, {} as SignedPayout)).toBeNull();
  });
});
