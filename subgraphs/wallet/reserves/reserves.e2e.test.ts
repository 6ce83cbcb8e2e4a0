import { createHash } from 'node:crypto';
import { Wallet as EthersWallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvmSender } from '../../../devnet/evm/evm-sender.js';
import {
  deployTestToken,
  mintTestToken,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../../devnet/evm/local-chain.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { gql } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';
import {
  startChainWatcherWorker,
  type RunningChainWatcher,
} from '../../../workers/chain-watchers/core/watcher.worker.js';

/**
 * Proof of reserves end to end: real deposits on a local EVM chain (watcher → wallet → ledger), a cold wallet
 * holding coins, `reserves` through the gateway joining the wallet's chain reads with the ledger's liabilities,
 * and each user's Merkle proof checked against the published root by a verifier written here from the README.
 */

const ETH = 10n ** 18n;
const USDT = 10n ** 6n;

let chain: LocalEvmChain;
let evm: EvmSender;
let token: string;
let stack: TestStack;
let watcher: RunningChainWatcher;
const cold = EthersWallet.createRandom().address;

beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 1337 });
  token = await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey);
  await mintTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey, token, chain.accounts[1]!.address, 10n ** 6n * USDT);
  evm = new EvmSender(chain.rpcUrl, chain.accounts[1]!.privateKey);
  stack = await startStack({
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_USDT_CONTRACT: token,
    CHAIN_ETH_CONFIRMATIONS: '2',
    CHAIN_ETH_POLL_MS: '100',
    CHAIN_WATCHER_PORT: '0',
    TREASURY_ETH_COLD_ADDRESS: cold,
  });
  watcher = await startChainWatcherWorker(stack.config, stack.log, 'ETH', { port: 0 });
}, 180_000);

afterAll(async () => {
  await watcher?.close().catch(() => undefined);
  await stack?.close();
  await chain?.stop();
});

async function signIn(): Promise<{ token: string; userId: string; address: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user } = res.body.data!.signInWithTelegram;
  const addr = await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, accessToken);
  return { token: accessToken, userId: user.id, address: addr.body.data!.me.depositAddress.address };
}

async function mineUntil<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await evm.mine(1);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** From the ledger README's leaf format alone. */
function verifyOffline(
  userId: string,
  proof: { nonce: string; balanceUnits: string; path: { side: string; hash: string; sumUnits: string }[] },
  root: { root: string; totalUnits: string },
): boolean {
  const sha = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
  const u256 = (n: bigint) => n.toString(16).padStart(64, '0');
  let hash = sha(
    '00' +
      createHash('sha256').update(`por:v1:${userId}:${proof.nonce}`).digest('hex') +
      u256(BigInt(proof.balanceUnits)),
  );
  let sum = BigInt(proof.balanceUnits);
  for (const s of proof.path) {
    const sibling = s.hash + u256(BigInt(s.sumUnits));
    hash = sha('01' + (s.side === 'LEFT' ? sibling + hash + u256(sum) : hash + u256(sum) + sibling));
    sum += BigInt(s.sumUnits);
  }
  return hash === root.root && sum === BigInt(root.totalUnits);
}

describe('proof of reserves through the gateway', () => {
  it('reserves = on-chain sums (deposit addresses + cold), liabilities = credited deposits; every user proves their leaf', async () => {
    const users = [await signIn(), await signIn(), await signIn()];
    const eth = [ETH / 4n, ETH / 2n + 7n, 3n * ETH];
    const usdt = [10n * USDT, 0n, 125n * USDT + 1n];
    for (const [i, u] of users.entries()) {
      await evm.sendNative(u.address, eth[i]!);
      if (usdt[i]) await evm.sendToken(token, u.address, usdt[i]!);
    }
    await evm.sendNative(cold, 2n * ETH);
    await evm.sendToken(token, cold, 1_000n * USDT);
    const expectedEth = eth.reduce((s, v) => s + v, 0n);
    const expectedUsdt = usdt.reduce((s, v) => s + v, 0n);

    const finance = await signInStaff(stack, ['FINANCE']);
    const RESERVES = `{ reserves(assets: ["ETH", "USDT_ETH"]) { asset onChain hot cold deposits depositAddresses coldAddress hotAddress liabilities liabilityUsers surplus } }`;
    // Wait until the watcher credited every deposit: liabilities reach what was sent.
    const reserves = await mineUntil('deposits credited', async () => {
      const res = await gql(stack.graphqlUrl, RESERVES, {}, finance.token);
      expect(res.body.errors).toBeUndefined();
      const rows = res.body.data!.reserves as Record<string, string | number | null>[];
      const ok =
        rows[0]!.liabilities === formatAmount(expectedEth, 18) &&
        rows[1]!.liabilities === formatAmount(expectedUsdt, 6);
      return ok ? rows : null;
    });
    expect(reserves).toEqual([
      {
        asset: 'ETH',
        onChain: formatAmount(expectedEth + 2n * ETH, 18),
        hot: '0',
        cold: '2',
        deposits: formatAmount(expectedEth, 18),
        depositAddresses: 3,
        coldAddress: cold,
        hotAddress: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
        liabilities: formatAmount(expectedEth, 18),
        liabilityUsers: 3,
        surplus: '2',
      },
      {
        asset: 'USDT_ETH',
        onChain: formatAmount(expectedUsdt + 1_000n * USDT, 6),
        hot: '0',
        cold: '1000',
        deposits: formatAmount(expectedUsdt, 6),
        depositAddresses: 3,
        coldAddress: cold,
        hotAddress: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
        liabilities: formatAmount(expectedUsdt, 6),
        liabilityUsers: 2,
        surplus: '1000',
      },
    ]);

    // Publish, then every user verifies offline against the public root.
    const published = await gql(
      stack.graphqlUrl,
      `mutation { publishReserveSnapshots(assets: ["ETH", "USDT_ETH"]) { id asset root totalUnits leafCount } }`,
      {},
      finance.token,
    );
    expect(published.body.errors).toBeUndefined();
    const roots = await gql(stack.graphqlUrl, `{ reserveSnapshots(assets: ["ETH"]) { id root totalUnits leafCount } }`);
    expect(roots.body.data!.reserveSnapshots).toEqual([
      {
        id: published.body.data!.publishReserveSnapshots[0].id,
        root: published.body.data!.publishReserveSnapshots[0].root,
        totalUnits: expectedEth.toString(),
        leafCount: 3,
      },
    ]);
    for (const [i, u] of users.entries()) {
      const res = await gql(
        stack.graphqlUrl,
        `{ myReserveProof(asset: "ETH") { userId nonce balanceUnits path { side hash sumUnits } } }`,
        {},
        u.token,
      );
      expect(res.body.errors).toBeUndefined();
      const proof = res.body.data!.myReserveProof;
      expect(proof.userId).toBe(u.userId);
      expect(proof.balanceUnits).toBe(eth[i]!.toString());
      expect(verifyOffline(u.userId, proof, roots.body.data!.reserveSnapshots[0])).toBe(true);
    }
    // The user with no USDT has no USDT leaf.
    const none = await gql(stack.graphqlUrl, `{ myReserveProof(asset: "USDT_ETH") { nonce } }`, {}, users[1]!.token);
    expect(none.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('users cannot see reserves or publish snapshots', async () => {
    const user = await signIn();
    const reserves = await gql(stack.graphqlUrl, `{ reserves { asset onChain } }`, {}, user.token);
    expect(reserves.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const publish = await gql(stack.graphqlUrl, `mutation { publishReserveSnapshots { id } }`, {}, user.token);
    expect(publish.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const support = await signInStaff(stack, ['SUPPORT']);
    const staff = await gql(stack.graphqlUrl, `{ reserves(assets: ["ETH"]) { asset } }`, {}, support.token);
    expect(staff.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
