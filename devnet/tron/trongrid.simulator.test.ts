import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ProviderParseError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderTimeoutError,
} from '../../providers/http/http.errors.js';
import {
  deriveAddress,
  mnemonicToSeed,
  signTronTransfer,
  type TronSignRequest,
} from '../../subgraphs/wallet/custody/index.js';
import { trc20TransfersOf } from '../../providers/trongrid/trc20.js';
import { createTronGridClient, type TronGridClient } from '../../providers/trongrid/trongrid.client.js';
import { TronBroadcastError, TronHeadRegressedError } from '../../providers/trongrid/trongrid.errors.js';
import { startTronSimulator, type TronSimulator } from './trongrid.simulator.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const USDT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';

let seed: Uint8Array;
let alice: string; // custody index 0
let bob: string; // custody index 1
const sims: TronSimulator[] = [];

beforeAll(async () => {
  seed = await mnemonicToSeed(ABOUT);
  alice = deriveAddress(seed, 'TRON', 0);
  bob = deriveAddress(seed, 'TRON', 1);
});

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

async function setup(
  options: Parameters<typeof startTronSimulator>[0] = {},
): Promise<{ sim: TronSimulator; client: TronGridClient }> {
  const sim = await startTronSimulator({ blockIntervalMs: null, ...options });
  sims.push(sim);
  const client = createTronGridClient({
    baseUrl: sim.url,
    apiKey: options.apiKey ?? null,
    resilience: { retries: 0, timeoutMs: 500, breaker: false },
  });
  return { sim, client };
}

async function signed(client: TronGridClient, req: Omit<TronSignRequest, 'refBlock'>) {
  const head = await client.getNowBlock();
  return signTronTransfer(seed, { ...req, refBlock: { number: head.number, hash: head.blockID } });
}

describe('TronGrid simulator: faucet, blocks and the client', () => {
  it('faucet TRX and USDT land in new blocks the client reads: TransferContract, TRC20 log, balances', async () => {
    const { sim, client } = await setup();
    const start = (await client.getNowBlock()).number;
    const trx = sim.send({ to: alice, amount: 25_000_000n });
    const usdt = sim.send({ to: alice, amount: 120_000_000n, token: 'USDT' });
    expect([trx.blockNumber, usdt.blockNumber]).toEqual([start + 1, start + 2]);

    const [b1, b2] = await client.getBlockRange(start + 1, start + 3);
    expect(b1!.transactions).toHaveLength(1);
    expect(b1!.transactions[0]).toMatchObject({
      txID: trx.txID,
      contractRet: 'SUCCESS',
      contract: { type: 'TransferContract', to: alice, amount: 25_000_000n, owner: sim.faucetAddress },
    });
    expect(b2!.parentHash).toBe(b1!.blockID);
    expect(b2!.transactions[0]!.contract).toMatchObject({
      type: 'TriggerSmartContract',
      contract: USDT,
      owner: sim.faucetAddress,
    });

    const infos = await client.getTransactionInfoByBlockNum(usdt.blockNumber);
    expect(trc20TransfersOf(infos[0]!)).toEqual([
      { contract: USDT, from: sim.faucetAddress, to: alice, amount: 120_000_000n, logIndex: 0 },
    ]);
    expect(await client.getBalance(alice)).toBe(25_000_000n);
    expect(await client.trc20BalanceOf(USDT, alice)).toBe(120_000_000n);
    expect(await client.getBalance(bob)).toBe(0n);
    expect((await client.getAccount(bob)).exists).toBe(false);
    expect(await client.getTransactionInfoById(trx.txID)).toMatchObject({
      blockNumber: trx.blockNumber,
      success: true,
    });
  });

  it('accepts TRX and TRC20 transfers signed by signTronTransfer, mines them, moves balances and burns fees', async () => {
    const { sim, client } = await setup({ fees: { trc20Sun: 5_000_000n, newAccountSun: 1_000_000n } });
    sim.send({ to: alice, amount: 100_000_000n });
    sim.send({ to: alice, amount: 50_000_000n, token: 'USDT' });

    const native = await signed(client, { index: 0, transfer: { asset: 'native', to: bob, amount: 10_000_000n } });
    expect(await client.broadcastTransaction(native)).toBe(native.txID);
    const token = await signed(client, {
      index: 0,
      transfer: { asset: 'token', contract: USDT, to: bob, amount: 7_500_000n, feeLimit: 20_000_000n },
    });
    expect(await client.broadcastTransaction(token)).toBe(token.txID);
    const height = sim.mine();

    const block = await client.getBlockByNumber(height);
    expect(block!.transactions.map((t) => t.txID)).toEqual([native.txID, token.txID]);
    const infos = await client.getTransactionInfoByBlockNum(height);
    expect(infos[0]).toMatchObject({ fee: 1_000_000n, success: true }); // bob's account was created
    expect(infos[1]).toMatchObject({ fee: 5_000_000n, receiptResult: 'SUCCESS' });
    expect(trc20TransfersOf(infos[1]!)).toEqual([
      { contract: USDT, from: alice, to: bob, amount: 7_500_000n, logIndex: 0 },
    ]);
    expect(await client.getBalance(alice)).toBe(100_000_000n - 10_000_000n - 1_000_000n - 5_000_000n);
    expect(await client.getBalance(bob)).toBe(10_000_000n);
    expect(await client.trc20BalanceOf(USDT, bob)).toBe(7_500_000n);
    expect(sim.balance(alice, 'USDT')).toBe(42_500_000n);
  });

  it('refuses bad signatures, a wrong txID, duplicates, unknown reference blocks, expired transactions and overdrafts', async () => {
    const { sim, client } = await setup();
    sim.send({ to: alice, amount: 5_000_000n });
    const refused = async (tx: Parameters<TronGridClient['broadcastTransaction']>[0]) =>
      (await client.broadcastTransaction(tx).catch((e: unknown) => e)) as TronBroadcastError;

    const good = await signed(client, { index: 0, transfer: { asset: 'native', to: bob, amount: 1_000_000n } });
    // Signed by someone else (bob's key) for alice's transfer.
    const bobs = await signed(client, { index: 1, transfer: { asset: 'native', to: alice, amount: 1_000_000n } });
    expect(await refused({ ...good, signature: bobs.signature })).toMatchObject({ tronCode: 'SIGERROR' });
    // Tampered amount: the node's hash differs from the one signed.
    const tampered = {
      ...good,
      raw_data: {
        ...good.raw_data,
        contract: [
          {
            ...good.raw_data.contract[0],
            parameter: {
              ...good.raw_data.contract[0].parameter,
              value: { ...good.raw_data.contract[0].parameter.value, amount: 4_000_000 },
            },
          },
        ],
      },
    };
    expect(await refused(tampered as typeof good)).toMatchObject({ tronCode: 'SIGERROR' });
    expect(await refused({ ...good, txID: '00'.repeat(32) })).toMatchObject({
      tronCode: 'SIGERROR',
      detail: expect.stringMatching(/does not match/),
    });

    expect(await client.broadcastTransaction(good)).toBe(good.txID);
    expect(await refused(good)).toMatchObject({ tronCode: 'DUP_TRANSACTION_ERROR' });

    const head = await client.getNowBlock();
    const foreign = await signTronTransfer(seed, {
      index: 0,
      refBlock: { number: head.number, hash: 'ab'.repeat(32) },
      transfer: { asset: 'native', to: bob, amount: 1n },
    });
    expect(await refused(foreign)).toMatchObject({ tronCode: 'TAPOS_ERROR' });
    const old = await signed(client, {
      index: 0,
      timestamp: head.timestamp - 120_000,
      expiration: head.timestamp - 60_000,
      transfer: { asset: 'native', to: bob, amount: 1n },
    });
    expect(await refused(old)).toMatchObject({ tronCode: 'TRANSACTION_EXPIRATION_ERROR' });
    const overdraft = await signed(client, { index: 0, transfer: { asset: 'native', to: bob, amount: 50_000_000n } });
    expect(await refused(overdraft)).toMatchObject({
      tronCode: 'CONTRACT_VALIDATE_ERROR',
      detail: expect.stringMatching(/balance is not sufficient/),
    });
    const nobody = await signed(client, { index: 5, transfer: { asset: 'native', to: bob, amount: 1n } });
    expect(await refused(nobody)).toMatchObject({ tronCode: 'CONTRACT_VALIDATE_ERROR' });
  });

  it('a TRC20 transfer beyond the token balance is mined as REVERT: fee burned, no transfer', async () => {
    const { sim, client } = await setup();
    sim.send({ to: alice, amount: 30_000_000n });
    const tx = await signed(client, {
      index: 0,
      transfer: { asset: 'token', contract: USDT, to: bob, amount: 1n, feeLimit: 20_000_000n },
    });
    await client.broadcastTransaction(tx);
    const height = sim.mine();
    const [info] = await client.getTransactionInfoByBlockNum(height);
    expect(info).toMatchObject({ success: false, receiptResult: 'REVERT', fee: 13_500_000n });
    expect(trc20TransfersOf(info!)).toEqual([]);
    expect((await client.getBlockByNumber(height))!.transactions[0]!.contractRet).toBe('REVERT');
    expect(await client.getBalance(alice)).toBe(16_500_000n);
  });

  it('reorg replaces the last blocks: new ids, the deposit is gone (or re-included on request), balances follow', async () => {
    const { sim, client } = await setup();
    const deposit = sim.send({ to: alice, amount: 9_000_000n });
    sim.mine(2);
    const before = await client.getBlockByNumber(deposit.blockNumber);
    const { head } = sim.reorg(3);
    expect(head).toBe(deposit.blockNumber + 2);
    const after = await client.getBlockByNumber(deposit.blockNumber);
    expect(after!.blockID).not.toBe(before!.blockID);
    expect(after!.transactions).toEqual([]);
    expect(await client.getTransactionInfoById(deposit.txID)).toBeNull();
    expect(await client.getBalance(alice)).toBe(0n);

    const second = sim.send({ to: alice, amount: 4_000_000n });
    sim.reorg(1, { reinclude: true });
    const moved = await client.getTransactionInfoById(second.txID);
    expect(moved?.blockNumber).toBe(second.blockNumber);
    expect((await client.getBlockByNumber(second.blockNumber))!.blockID).not.toBe(second.blockID);
    expect(await client.getBalance(alice)).toBe(4_000_000n);
  });

  it('solidified head lags by 19 blocks; blocks above it are not served on /walletsolidity', async () => {
    const { sim, client } = await setup();
    const head = sim.mine(25);
    expect((await client.getNowBlock({ solidified: true })).number).toBe(head - 19);
    expect(await client.getBlockByNumber(head, { solidified: true })).toBeNull();
    expect((await client.getBlockByNumber(head - 19, { solidified: true }))?.number).toBe(head - 19);
  });

  it('TRC20 history (v1): filters, paging with fingerprints, confirmed only', async () => {
    const { sim, client } = await setup();
    for (const amount of [1n, 2n, 3n]) sim.send({ to: alice, amount: amount * 1_000_000n, token: 'USDT' });
    sim.send({ to: bob, amount: 9_000_000n, token: 'USDT' });
    const first = await client.trc20Transfers(alice, { limit: 2 });
    expect(first.transfers.map((t) => t.value)).toEqual([3_000_000n, 2_000_000n]);
    expect(first.fingerprint).not.toBeNull();
    const second = await client.trc20Transfers(alice, { limit: 2, fingerprint: first.fingerprint! });
    expect(second.transfers.map((t) => t.value)).toEqual([1_000_000n]);
    expect(second.fingerprint).toBeNull();
    expect(second.transfers[0]).toMatchObject({
      from: sim.faucetAddress,
      to: alice,
      type: 'Transfer',
      token: { address: USDT, symbol: 'USDT', decimals: 6 },
    });
    expect((await client.trc20Transfers(alice, { order: 'asc', onlyTo: true })).transfers.map((t) => t.value)).toEqual([
      1_000_000n,
      2_000_000n,
      3_000_000n,
    ]);
    expect((await client.trc20Transfers(alice, { onlyConfirmed: true })).transfers).toEqual([]);
    sim.mine(17); // head = 4 faucet blocks + 17: solidified up to the second deposit
    expect((await client.trc20Transfers(alice, { onlyConfirmed: true })).transfers.map((t) => t.value)).toEqual([
      2_000_000n,
      1_000_000n,
    ]);
    expect((await client.trc20Transfers(alice, { onlyFrom: true })).transfers).toEqual([]);
  });

  it('a look-alike "USDT" at another address is a different contract', async () => {
    const { sim, client } = await setup();
    const fake = sim.addToken({ symbol: 'USDT', name: 'Tether USD', decimals: 6 });
    const receipt = sim.send({ to: alice, amount: 5_000_000n, token: fake });
    const [info] = await client.getTransactionInfoByBlockNum(receipt.blockNumber);
    expect(trc20TransfersOf(info!)[0]).toMatchObject({ contract: fake, amount: 5_000_000n });
    expect(fake).not.toBe(USDT);
    expect(await client.trc20BalanceOf(USDT, alice)).toBe(0n);
    expect(await client.trc20BalanceOf(fake, alice)).toBe(5_000_000n);
  });

  it('interval mining produces blocks by itself', async () => {
    const { client } = await setup({ blockIntervalMs: 40 });
    const first = (await client.getNowBlock()).number;
    await new Promise((r) => setTimeout(r, 200));
    expect((await client.getNowBlock()).number).toBeGreaterThan(first + 1);
  });
});

describe('TronGrid simulator: failure modes reach the client as typed errors', () => {
  let sim: TronSimulator;
  let client: TronGridClient;
  beforeAll(async () => {
    ({ sim, client } = await setup());
  });
  afterEach(() => sim.setFailure(null));

  it('rate limit, 5xx, malformed JSON, hang', async () => {
    sim.setFailure({ mode: 'server-error', times: 1 });
    await expect(client.getNowBlock()).rejects.toBeInstanceOf(ProviderResponseError);
    sim.setFailure({ mode: 'malformed-json', times: 1 });
    await expect(client.getNowBlock()).rejects.toBeInstanceOf(ProviderParseError);
    sim.setFailure({ mode: 'hang', times: 1 });
    await expect(client.getNowBlock()).rejects.toBeInstanceOf(ProviderTimeoutError);
    sim.setFailure({ mode: 'rate-limit', times: 1, retryAfterSeconds: 3 });
    await expect(client.getNowBlock()).rejects.toMatchObject({ retryAfterMs: 3_000 });
    await expect(client.getNowBlock()).rejects.toBeInstanceOf(ProviderRateLimitedError);
  });

  it('a lagging node: the head goes backwards and is not trusted', async () => {
    const fresh = createTronGridClient({ baseUrl: sim.url, apiKey: null, resilience: { retries: 0, breaker: false } });
    sim.mine(5);
    const high = (await fresh.getNowBlock()).number;
    sim.setHeadLag(3);
    await expect(fresh.getNowBlock()).rejects.toMatchObject({ previousHead: high, reportedHead: high - 3 });
    await expect(fresh.getNowBlock()).rejects.toBeInstanceOf(TronHeadRegressedError);
    sim.setHeadLag(0);
    expect((await fresh.getNowBlock()).number).toBe(high);
  });

  it('an API key, when configured, is required', async () => {
    const keyed = await setup({ apiKey: 'secret' });
    expect((await keyed.client.getNowBlock()).number).toBeGreaterThan(0);
    const anonymous = createTronGridClient({ baseUrl: keyed.sim.url, apiKey: null, resilience: { retries: 0 } });
    await expect(anonymous.getNowBlock()).rejects.toMatchObject({ status: 401 });
  });
});
