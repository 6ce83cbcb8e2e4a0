import { Address, beginCell, Cell, loadMessage, storeMessage } from '@ton/core';
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
  signTonTransfer,
  type TonSignRequest,
} from '../../subgraphs/wallet/custody/index.js';
import { createToncenterClient, type ToncenterClient } from '../../providers/toncenter/toncenter.client.js';
import { TonHeadRegressedError, TonSendRejectedError } from '../../providers/toncenter/toncenter.errors.js';
import { startTonSimulator, type TonSimulator } from './toncenter.simulator.js';
import { normalizeTonAddress } from '../../providers/toncenter/toncenter.wire.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const TON = 1_000_000_000n;

let seed: Uint8Array;
let alice: string; // custody index 0 (UQ…)
let bob: string; // custody index 1
const sims: TonSimulator[] = [];

beforeAll(async () => {
  seed = await mnemonicToSeed(ABOUT);
  alice = deriveAddress(seed, 'TON', 0);
  bob = deriveAddress(seed, 'TON', 1);
});

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

async function setup(
  options: Parameters<typeof startTonSimulator>[0] = {},
): Promise<{ sim: TonSimulator; client: ToncenterClient }> {
  const sim = await startTonSimulator({ blockIntervalMs: null, ...options });
  sims.push(sim);
  const client = createToncenterClient({
    baseUrl: sim.url,
    apiKey: options.apiKey ?? null,
    resilience: { retries: 0, timeoutMs: 500, breaker: false },
  });
  return { sim, client };
}

const now = () => Math.floor(Date.now() / 1000);

async function sign(
  client: ToncenterClient,
  index: number,
  transfer: TonSignRequest['transfer'],
  overrides: Partial<TonSignRequest> = {},
) {
  const from = deriveAddress(seed, 'TON', index);
  return signTonTransfer(seed, {
    index,
    seqno: await client.getSeqno(from),
    validUntil: now() + 60,
    transfer,
    ...overrides,
  });
}

describe('toncenter simulator: chain, faucet and the client', () => {
  it('masterchain seqno advances; v2 and v3 agree; blocks by seqno', async () => {
    const { sim, client } = await setup();
    const start = await client.getMasterchainInfo();
    const head = sim.mine(3);
    expect(head).toBe(start.seqno + 3);
    const info = await client.getMasterchainInfo();
    const indexed = await client.getIndexedMasterchainInfo();
    expect(info.seqno).toBe(head);
    expect(indexed.last.seqno).toBe(head);
    expect(indexed.last.rootHash).toBe(info.rootHash);
    const block = await client.getMasterchainBlock(head - 1);
    expect(block).toMatchObject({ workchain: -1, seqno: head - 1, masterchainSeqno: head - 1 });
    expect(await client.getMasterchainBlock(head + 10)).toBeNull();
    const both = await client.getBlocks({ mcSeqno: head });
    expect(both.map((b) => b.workchain).sort()).toEqual([-1, 0]);
  });

  it('faucet TON: balance, the transaction with its comment in v3, in the block it reports', async () => {
    const { sim, client } = await setup();
    const receipt = sim.send({ to: alice, amount: 3n * TON, comment: 'hello' });
    expect(await client.getAddressBalance(alice)).toBe(3n * TON);
    const [tx] = await client.getTransactions({ account: alice });
    // Like mainnet: a credit to an account without code is "aborted" (compute skipped, no_state) but credited.
    expect(tx).toMatchObject({
      account: alice,
      hash: receipt.recipientTransaction!.hash,
      mcSeqno: receipt.mcSeqno,
      origStatus: 'nonexist',
      endStatus: 'uninit',
      aborted: true,
      computeSuccess: null,
    });
    expect(tx!.inMsg).toMatchObject({
      source: sim.faucetAddress,
      destination: alice,
      value: 3n * TON,
      comment: 'hello',
      bounce: false,
      opcode: 0,
    });
    expect(tx!.traceId).toBe(receipt.traceId);
    expect(await client.getSeqno(alice)).toBe(0); // not deployed yet
  });

  it('faucet USDT: jetton transfer (genuine master), jetton wallets verified with get_wallet_address', async () => {
    const { sim, client } = await setup();
    const receipt = sim.send({ to: alice, amount: 25_000_000n, jetton: 'USDT' });
    const usdt = normalizeTonAddress(sim.usdtMaster);
    const [transfer] = await client.getJettonTransfers({ ownerAddress: alice, direction: 'in' });
    expect(transfer).toMatchObject({
      source: sim.faucetAddress,
      destination: alice,
      amount: 25_000_000n,
      jettonMaster: usdt,
      transactionAborted: false,
      traceId: receipt.traceId,
    });
    expect(transfer!.sourceWallet).toBe(await client.getJettonWalletAddress(usdt, sim.faucetAddress));
    const aliceWallet = await client.getJettonWalletAddress(usdt, alice);
    expect(aliceWallet).toBe(normalizeTonAddress(sim.jettonWalletAddress(alice)));
    expect(await client.getJettonWalletData(aliceWallet)).toEqual({ balance: 25_000_000n, owner: alice, master: usdt });
    expect(await client.getJettonWallets({ ownerAddress: alice })).toMatchObject([
      { address: aliceWallet, balance: 25_000_000n, owner: alice, jetton: usdt },
    ]);
    // The recipient's wallet received internal_transfer; the owner got transfer_notification with forward 1 nanoton.
    const [walletTx] = await client.getTransactions({ account: aliceWallet });
    expect(walletTx!.inMsg).toMatchObject({ opcode: 0x178d4519, source: transfer!.sourceWallet });
    expect(receipt.recipientTransaction).not.toBeNull();
    const [ownerTx] = await client.getTransactions({ account: alice });
    expect(ownerTx!.inMsg).toMatchObject({ opcode: 0x7362d09c, source: aliceWallet, value: 1n });
    expect(await client.getJettonWalletData(await client.getJettonWalletAddress(usdt, bob))).toBeNull();
  });

  it('accepts TON transfers signed by signTonTransfer: deploy with StateInit at seqno 0, then seqno 1', async () => {
    const { sim, client } = await setup();
    sim.send({ to: alice, amount: 5n * TON });
    const first = await sign(client, 0, { asset: 'native', to: bob, amount: TON, comment: 'withdrawal 1' });
    expect(await client.sendBoc(first.boc)).toEqual({ messageHash: first.messageHash });
    sim.mine();
    expect(await client.getSeqno(alice)).toBe(1);
    expect(await client.getAddressBalance(bob)).toBe(TON);
    const [external] = await client.getTransactions({ account: alice, limit: 1 });
    expect(external).toMatchObject({ origStatus: 'uninit', endStatus: 'active' });
    expect(external!.inMsg).toMatchObject({ hash: first.messageHash, source: null, value: null });
    expect(external!.outMsgs).toMatchObject([{ destination: bob, value: TON, bounce: false, comment: 'withdrawal 1' }]);
    const second = await sign(client, 0, { asset: 'native', to: bob, amount: 2n * TON });
    await client.sendBoc(second.boc);
    sim.mine();
    expect(await client.getSeqno(alice)).toBe(2);
    expect(await client.getAddressBalance(bob)).toBe(3n * TON);
    // Mode 3: alice paid amount + forward fees + gas, separately.
    expect(await client.getAddressBalance(alice)).toBe(
      5n * TON - 3n * TON - 2n * (sim.chain.fees.walletGas + sim.chain.fees.forward),
    );
  });

  it('rejects replays, wrong seqno, bad signatures, expired messages, undeployed wallets without StateInit and unfunded wallets', async () => {
    const { sim, client } = await setup();
    sim.send({ to: alice, amount: 5n * TON });
    const rejected = async (boc: string) =>
      (await client.sendBoc(boc).catch((e: unknown) => e)) as TonSendRejectedError;

    const noInit = await signTonTransfer(seed, {
      index: 0,
      seqno: 1,
      validUntil: now() + 60,
      transfer: { asset: 'native', to: bob, amount: 1n },
    });
    expect(await rejected(noInit.boc)).toMatchObject({ exitCode: null, name: 'TonSendRejectedError' });
    const unfunded = await signTonTransfer(seed, {
      index: 2,
      seqno: 0,
      validUntil: now() + 60,
      transfer: { asset: 'native', to: bob, amount: 1n },
    });
    expect((await rejected(unfunded.boc)).detail).toMatch(/no balance/);

    const good = await sign(client, 0, { asset: 'native', to: bob, amount: TON });
    // A well-formed body signed with bob's key, sent to alice's wallet (with alice's StateInit): signature mismatch.
    const bobs = await signTonTransfer(seed, {
      index: 1,
      seqno: 0,
      validUntil: now() + 60,
      transfer: { asset: 'native', to: bob, amount: TON },
    });
    expect(await rejected(withBody(good.boc, bobs.boc))).toMatchObject({ exitCode: 35 });
    const expired = await sign(client, 0, { asset: 'native', to: bob, amount: TON }, { validUntil: now() - 1 });
    expect(await rejected(expired.boc)).toMatchObject({ exitCode: 36 });

    await client.sendBoc(good.boc); // deploys alice's wallet (seqno 0 → 1)
    expect(await rejected(good.boc)).toMatchObject({ exitCode: 33 }); // replay: seqno moved on
    const ahead = await sign(client, 0, { asset: 'native', to: bob, amount: TON }, { seqno: 5 });
    expect(await rejected(ahead.boc)).toMatchObject({ exitCode: 33 });
    sim.mine();
    expect(await client.getAddressBalance(bob)).toBe(TON);
  });

  it('jetton withdrawal signed by signTonTransfer moves USDT wallet to wallet and notifies the recipient', async () => {
    const { sim, client } = await setup();
    const usdt = normalizeTonAddress(sim.usdtMaster);
    sim.send({ to: alice, amount: 2n * TON });
    sim.send({ to: alice, amount: 100_000_000n, jetton: 'USDT' });
    const aliceWallet = await client.getJettonWalletAddress(usdt, alice);
    const signed = await sign(client, 0, {
      asset: 'jetton',
      jettonWallet: aliceWallet,
      to: bob,
      amount: 40_000_000n,
      attachedTon: 50_000_000n,
      forwardComment: 'order 7',
    });
    await client.sendBoc(signed.boc);
    sim.mine();
    const bobWallet = await client.getJettonWalletAddress(usdt, bob);
    expect((await client.getJettonWalletData(bobWallet))?.balance).toBe(40_000_000n);
    expect((await client.getJettonWalletData(aliceWallet))?.balance).toBe(60_000_000n);
    const [out] = await client.getJettonTransfers({ ownerAddress: alice, direction: 'out' });
    expect(out).toMatchObject({
      source: alice,
      destination: bob,
      amount: 40_000_000n,
      sourceWallet: aliceWallet,
      jettonMaster: usdt,
      responseDestination: alice,
    });
    expect(out!.forwardPayload).not.toBeNull();
    // Sending more than the wallet holds: the jetton wallet refuses (706) and bounces the TON back.
    const tooMuch = await sign(client, 0, {
      asset: 'jetton',
      jettonWallet: aliceWallet,
      to: bob,
      amount: 1_000_000_000n,
      attachedTon: 50_000_000n,
    });
    await client.sendBoc(tooMuch.boc);
    sim.mine();
    const [refused] = await client.getTransactions({ account: aliceWallet, limit: 1 });
    expect(refused).toMatchObject({ aborted: true, exitCode: 706 });
    expect(refused!.outMsgs[0]).toMatchObject({ destination: alice, bounced: true });
    expect((await client.getJettonWalletData(aliceWallet))?.balance).toBe(60_000_000n);
  });

  it('fake jettons: transfers look alike; get_wallet_address on the genuine master tells them apart', async () => {
    const { sim, client } = await setup();
    const usdt = normalizeTonAddress(sim.usdtMaster);
    const plainFake = normalizeTonAddress(sim.createFakeJetton());
    const impostor = normalizeTonAddress(sim.createFakeJetton({ impersonate: true }));
    sim.send({ to: alice, amount: 7_000_000n, jetton: plainFake });
    sim.send({ to: alice, amount: 9_000_000n, jetton: impostor });
    sim.send({ to: alice, amount: 5_000_000n, jetton: 'USDT' });
    const transfers = await client.getJettonTransfers({ ownerAddress: alice, direction: 'in', sort: 'asc' });
    expect(transfers.map((t) => [t.amount, t.jettonMaster])).toEqual([
      [7_000_000n, plainFake],
      [9_000_000n, usdt], // the impostor's wallet claims the genuine master
      [5_000_000n, usdt],
    ]);
    const genuineSourceWallet = await client.getJettonWalletAddress(usdt, sim.faucetAddress);
    expect(transfers.filter((t) => t.sourceWallet === genuineSourceWallet).map((t) => t.amount)).toEqual([5_000_000n]);
    const claimed = await client.getJettonWallets({ ownerAddress: alice, jettonAddress: usdt });
    expect(claimed).toHaveLength(2);
    const genuine = await client.getJettonWalletAddress(usdt, alice);
    expect(claimed.filter((w) => w.address === genuine).map((w) => w.balance)).toEqual([5_000_000n]);
    expect(new Set(claimed.map((w) => w.codeHash)).size).toBe(2);
    expect(sim.jettonBalance(alice)).toBe(5_000_000n);
    // A forged transfer_notification straight from the faucet (not a jetton wallet) claiming 1,000 USDT.
    const forged = beginCell()
      .storeUint(0x7362d09c, 32)
      .storeUint(0, 64)
      .storeCoins(1_000_000_000n)
      .storeAddress(Address.parse(sim.faucetAddress))
      .storeBit(0)
      .endCell();
    sim.send({ to: alice, amount: 1n, body: forged.toBoc().toString('base64') });
    const [notification] = await client.getTransactions({ account: alice, limit: 1 });
    expect(notification!.inMsg).toMatchObject({ opcode: 0x7362d09c, source: sim.faucetAddress });
    expect((await client.getJettonTransfers({ ownerAddress: alice, direction: 'in' })).length).toBe(3); // not a jetton transfer
    expect(sim.jettonBalance(alice)).toBe(5_000_000n);
  });

  it('reorg replaces blocks: the deposit disappears (or is re-included), root hashes change', async () => {
    const { sim, client } = await setup();
    const deposit = sim.send({ to: alice, amount: 4n * TON });
    sim.mine(2);
    const before = await client.getMasterchainBlock(deposit.mcSeqno);
    const { head } = sim.reorg(3);
    expect(head).toBe(deposit.mcSeqno + 2);
    expect((await client.getMasterchainBlock(deposit.mcSeqno))!.rootHash).not.toBe(before!.rootHash);
    expect(await client.getTransactions({ account: alice })).toEqual([]);
    expect(await client.getAddressBalance(alice)).toBe(0n);

    const again = sim.send({ to: alice, amount: TON, jetton: undefined });
    sim.reorg(1, { reinclude: true });
    const [tx] = await client.getTransactions({ account: alice });
    expect(tx?.inMsg?.value).toBe(TON);
    expect(tx?.hash).not.toBe(again.recipientTransaction!.hash);
    expect(await client.getAddressBalance(alice)).toBe(TON);
  });

  it('interval mining advances the masterchain by itself', async () => {
    const { client } = await setup({ blockIntervalMs: 40 });
    const first = (await client.getMasterchainInfo()).seqno;
    await new Promise((r) => setTimeout(r, 200));
    expect((await client.getMasterchainInfo()).seqno).toBeGreaterThan(first + 1);
  });
});

describe('toncenter simulator: failure modes reach the client as typed errors', () => {
  let sim: TonSimulator;
  let client: ToncenterClient;
  beforeAll(async () => {
    ({ sim, client } = await setup());
  });
  afterEach(() => sim.setFailure(null));

  it('rate limit, 5xx, malformed JSON (v2 and v3), hang', async () => {
    sim.setFailure({ mode: 'server-error', times: 1 });
    await expect(client.getMasterchainInfo()).rejects.toBeInstanceOf(ProviderResponseError);
    sim.setFailure({ mode: 'malformed-json', times: 2 });
    await expect(client.getMasterchainInfo()).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.getTransactions({ account: alice })).rejects.toBeInstanceOf(ProviderParseError);
    sim.setFailure({ mode: 'hang', times: 1 });
    await expect(client.getMasterchainInfo()).rejects.toBeInstanceOf(ProviderTimeoutError);
    sim.setFailure({ mode: 'rate-limit', times: 1 });
    await expect(client.getMasterchainInfo()).rejects.toBeInstanceOf(ProviderRateLimitedError);
  });

  it('a lagging node: the masterchain seqno goes backwards and is not trusted', async () => {
    const fresh = createToncenterClient({ baseUrl: sim.url, apiKey: null, resilience: { retries: 0, breaker: false } });
    sim.mine(4);
    const high = (await fresh.getMasterchainInfo()).seqno;
    sim.setHeadLag(2);
    await expect(fresh.getMasterchainInfo()).rejects.toMatchObject({ previousSeqno: high, reportedSeqno: high - 2 });
    await expect(fresh.getIndexedMasterchainInfo()).rejects.toBeInstanceOf(TonHeadRegressedError);
    sim.setHeadLag(0);
    expect((await fresh.getMasterchainInfo()).seqno).toBe(high);
  });

  it('an API key, when configured, is required', async () => {
    const keyed = await setup({ apiKey: 'k' });
    expect((await keyed.client.getMasterchainInfo()).seqno).toBeGreaterThan(0);
    const anonymous = createToncenterClient({ baseUrl: keyed.sim.url, apiKey: null, resilience: { retries: 0 } });
    await expect(anonymous.getMasterchainInfo()).rejects.toMatchObject({ status: 401 });
  });
});

/** `target`'s external message (destination, StateInit) carrying `bodySource`'s signed body. */
function withBody(target: string, bodySource: string): string {
  const t = loadMessage(Cell.fromBase64(target).beginParse());
  const b = loadMessage(Cell.fromBase64(bodySource).beginParse());
  return beginCell()
    .store(storeMessage({ info: t.info, init: t.init ?? null, body: b.body }))
    .endCell()
    .toBoc()
    .toString('base64');
}
