import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Network } from '../../chains/network.js';
import { rpc, startLocalEvmChain, type LocalEvmChain } from '../../devnet/evm/local-chain.js';
import { recordEvent } from '../../platform/bus/outbox.js';
import type { Env } from '../../platform/config/config.js';
import { newId } from '../../platform/ids.js';
import { gql } from '../../testing/graphql-client.js';
import { publishMarketPrice } from '../../testing/market-prices.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { buildKeyring } from '../../subgraphs/wallet/custody-root/keyring.js';
import type { MasterKeyring } from '../../subgraphs/wallet/custody/index.js';
import { createChainPayouts, WithdrawalProcessor, type ChainPayout } from '../../subgraphs/wallet/ports.js';

/**
 * The broadcaster as its own process (`workers/withdrawal-broadcaster/main.ts`, spawned here) on a local EVM chain:
 * SIGKILLed between signing and broadcasting, and between broadcasting and recording (the test-only crash point
 * WITHDRAWAL_BROADCASTER_CRASH_AT), then restarted: every withdrawal completes and exactly one transfer per
 * withdrawal reaches the chain (counted by the hot wallet's nonce and the recipients' balances). Two broadcasters
 * at once share the work without a nonce collision; a stuck transaction is replaced and only one version confirms.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ETH = 10n ** 18n;

let chain: LocalEvmChain;
let stack: TestStack;
let hot: string;
let keyring: MasterKeyring;
let payouts: Map<Network, ChainPayout>;
const children: ChildProcess[] = [];

function walletEm() {
  return stack.subgraphs.get('wallet')!.deps.orm.em.fork();
}

async function waitUntil<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function nonceOf(address: string): Promise<number> {
  return Number(BigInt(await rpc<string>(chain.rpcUrl, 'eth_getTransactionCount', [address, 'latest'])));
}

async function ethBalance(address: string): Promise<bigint> {
  return BigInt(await rpc<string>(chain.rpcUrl, 'eth_getBalance', [address, 'latest']));
}

/** A user with 1 ETH credited (as a confirmed deposit) who withdraws `amount` ETH to a fresh address; APPROVED. */
async function approvedWithdrawal(amount: string): Promise<{ id: string; to: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user } = res.body.data!.signInWithTelegram;
  await walletEm().transactional(async (tx) => {
    recordEvent(tx, 'wallet.deposit.confirmed', 'wallet', {
      depositId: newId('dep'),
      userId: user.id,
      network: 'ETH',
      asset: 'ETH',
      amount: ETH.toString(),
      txHash: `0x${randomBytes(32).toString('hex')}`,
      outputIndex: 0,
    });
  });
  await waitUntil('credited', async () => {
    const b = await gql(stack.graphqlUrl, `{ me { balances(assets: ["ETH"]) { available } } }`, {}, accessToken);
    return b.body.data?.me.balances[0]?.available === '1';
  });
  const to = `0x${randomBytes(20).toString('hex')}`;
  const w = await gql(
    stack.graphqlUrl,
    `mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { id status toAddress } }`,
    { i: { asset: 'ETH', toAddress: to, amount, idempotencyKey: newId('key') } },
    accessToken,
  );
  expect(w.body.errors).toBeUndefined();
  expect(w.body.data!.requestWithdrawal.status).toBe('APPROVED');
  return { id: w.body.data!.requestWithdrawal.id, to: w.body.data!.requestWithdrawal.toAddress };
}

function broadcaster(extra: Env = {}): {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
} {
  // node itself (not the tsx wrapper), so the crash point's SIGKILL is what the test sees.
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/withdrawal-broadcaster/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...stack.vars,
      ENV_FILE: 'none',
      WITHDRAWAL_BROADCASTER_PORT: '0',
      WITHDRAWAL_BROADCASTER_POLL_MS: '50',
      WITHDRAWAL_CONFIRM_POLL_MS: '100',
      ...extra,
    } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code) process.stderr.write(stderr);
      resolve({ code, signal });
    }),
  );
  return { child, exited };
}

async function statusOf(id: string): Promise<string> {
  const [row] = await walletEm().execute<{ status: string }[]>('select status from wallet.withdrawal where id = ?', [
    id,
  ]);
  return row!.status;
}

async function versions(id: string): Promise<number> {
  const rows = await walletEm().execute('select 1 from wallet.withdrawal_tx where withdrawal_id = ?', [id]);
  return rows.length;
}

/** Mines a block every 200 ms until every withdrawal is COMPLETED. */
async function mineUntilCompleted(ids: string[]): Promise<void> {
  await waitUntil(
    `${ids.length} withdrawals completed`,
    async () => {
      await rpc(chain.rpcUrl, 'evm_mine');
      const statuses = await Promise.all(ids.map(statusOf));
      return statuses.every((s) => s === 'COMPLETED');
    },
    60_000,
  );
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  child.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 1337 });
  stack = await startStack({
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_CONFIRMATIONS: '2',
    CHAIN_ETH_CHAIN_ID: '1337',
    WITHDRAWAL_ADDRESS_COOL_OFF_SECONDS: '0',
    WITHDRAWAL_HOLD_WAIT_MS: '8000',
  });
  const wallet = stack.subgraphs.get('wallet')!.deps;
  keyring = buildKeyring(wallet.config);
  payouts = createChainPayouts({
    em: () => wallet.orm.em.fork(),
    keyring,
    chains: wallet.config.chains,
    payouts: wallet.config.payouts,
    log: stack.log,
  });
  hot = await payouts.get('ETH')!.hotAddress();
  await rpc(chain.rpcUrl, 'hardhat_setBalance', [hot, `0x${(100n * ETH).toString(16)}`]);
  await publishMarketPrice(stack, 'ETH', 'USD', '2000');
  await waitUntil('wallet price', async () => (await walletEm().execute('select 1 from wallet.price')).length > 0);
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  keyring?.destroy();
  await stack?.close();
  await chain?.stop();
});

describe('withdrawal broadcaster process', () => {
  it('killed between signing and broadcasting: restarted, it broadcasts the stored transaction; one transfer on chain', async () => {
    const w = await approvedWithdrawal('0.01');
    const nonceBefore = await nonceOf(hot);
    const first = broadcaster({ WITHDRAWAL_BROADCASTER_CRASH_AT: 'after-sign' });
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await statusOf(w.id)).toBe('SIGNED');
    expect(await versions(w.id)).toBe(1);
    expect(await nonceOf(hot)).toBe(nonceBefore); // nothing was sent
    expect(await ethBalance(w.to)).toBe(0n);

    const second = broadcaster();
    await mineUntilCompleted([w.id]);
    await stop(second.child, second.exited);
    expect(await ethBalance(w.to)).toBe(ETH / 100n);
    expect(await nonceOf(hot)).toBe(nonceBefore + 1);
    expect(await versions(w.id)).toBe(1); // never signed again
  });

  it('killed between broadcasting and recording it: restarted, it re-broadcasts the same bytes (already known); one transfer', async () => {
    const w = await approvedWithdrawal('0.02');
    const nonceBefore = await nonceOf(hot);
    const first = broadcaster({ WITHDRAWAL_BROADCASTER_CRASH_AT: 'after-broadcast' });
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await statusOf(w.id)).toBe('SIGNED'); // the broadcast was never recorded
    await rpc(chain.rpcUrl, 'evm_mine');
    expect(await ethBalance(w.to)).toBe((2n * ETH) / 100n); // but it reached the chain

    const second = broadcaster();
    await mineUntilCompleted([w.id]);
    await stop(second.child, second.exited);
    expect(await ethBalance(w.to)).toBe((2n * ETH) / 100n);
    expect(await nonceOf(hot)).toBe(nonceBefore + 1);
    expect(await versions(w.id)).toBe(1);
  });

  it('two broadcasters at once: every withdrawal sent once, each with its own nonce', async () => {
    const ws = await Promise.all(Array.from({ length: 6 }, (_, i) => approvedWithdrawal(`0.00${i + 1}`)));
    const nonceBefore = await nonceOf(hot);
    const a = broadcaster({ WITHDRAWAL_BROADCASTER_LANES: '3' });
    const b = broadcaster({ WITHDRAWAL_BROADCASTER_LANES: '3' });
    await mineUntilCompleted(ws.map((w) => w.id));
    await Promise.all([stop(a.child, a.exited), stop(b.child, b.exited)]);
    for (const [i, w] of ws.entries()) expect(await ethBalance(w.to)).toBe((BigInt(i + 1) * ETH) / 1000n);
    expect(await nonceOf(hot)).toBe(nonceBefore + ws.length);
    const sequences = await walletEm().execute<{ sequence: string }[]>(
      `select signed->>'sequence' as sequence from wallet.withdrawal_tx where withdrawal_id in (${ws.map(() => '?').join(', ')})`,
      ws.map((w) => w.id),
    );
    expect(new Set(sequences.map((s) => s.sequence)).size).toBe(ws.length);
  });

  it('a stuck EVM transaction is replaced (same nonce, higher fee) and only one of the two confirms', async () => {
    const w = await approvedWithdrawal('0.03');
    const nonceBefore = await nonceOf(hot);
    const processor = new WithdrawalProcessor(
      () => walletEm(),
      payouts,
      { stuckAfterMs: 0, confirmPollMs: 0, retryMs: 10 },
      stack.log,
    );
    await rpc(chain.rpcUrl, 'evm_setAutomine', [false]);
    try {
      const step = async () => {
        await walletEm().execute('update wallet.withdrawal set next_attempt_at = now() where id = ?', [w.id]);
        await processor.step('ETH');
      };
      await step(); // signed
      await step(); // broadcast, left in the mempool
      expect(await statusOf(w.id)).toBe('BROADCAST');
      await new Promise((r) => setTimeout(r, 20));
      await step(); // pending past stuckAfterMs: replaced and stored
      expect(await versions(w.id)).toBe(2);
      await step(); // the replacement is broadcast
      await rpc(chain.rpcUrl, 'evm_setAutomine', [true]);
      await rpc(chain.rpcUrl, 'evm_mine');
      await waitUntil('completed', async () => {
        await rpc(chain.rpcUrl, 'evm_mine');
        await step();
        return (await statusOf(w.id)) === 'COMPLETED';
      });
    } finally {
      await rpc(chain.rpcUrl, 'evm_setAutomine', [true]);
    }
    expect(await ethBalance(w.to)).toBe((3n * ETH) / 100n);
    expect(await nonceOf(hot)).toBe(nonceBefore + 1);
    const [row] = await walletEm().execute<{ tx_hash: string }[]>(
      'select tx_hash from wallet.withdrawal where id = ?',
      [w.id],
    );
    const receipt = await rpc<{ status: string } | null>(chain.rpcUrl, 'eth_getTransactionReceipt', [row!.tx_hash]);
    expect(receipt?.status).toBe('0x1');
  });
});
