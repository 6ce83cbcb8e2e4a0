import { Wallet as EthersWallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvmSender } from '../../devnet/evm/evm-sender.js';
import {
  deployTestToken,
  localProvider,
  mintTestToken,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../devnet/evm/local-chain.js';
import { treasuryProcess } from '../../platform/config/config.js';
import { formatAmount } from '../../platform/money/amount.js';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { verifyLedger } from '../../subgraphs/ledger/core/verifier.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { signInStaff } from '../../testing/viewers.js';
import { startChainWatcherWorker, type RunningChainWatcher } from '../chain-watchers/core/watcher.worker.js';
import { startTreasuryWorker, type RunningTreasury } from './treasury.worker.js';

/**
 * The sweeps bullet on the local EVM chain: deposits to 20 user addresses (ETH and the USDT-like token)
 * credited by the watcher are swept into the hot wallet, token sweeps from addresses without ETH after a gas
 * top-up of exactly what the sweep may cost; the hot wallet above its ceiling moves the excess to cold; and
 * `reserves` equals the sums read from the chain.
 */

const ETH = 10n ** 18n;
const USDT = 10n ** 6n;
const USERS = 20;

let chain: LocalEvmChain;
let evm: EvmSender;
let token: string;
let stack: TestStack;
let watcher: RunningChainWatcher;
let worker: RunningTreasury;
const cold = EthersWallet.createRandom().address;

beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 1337 });
  token = await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey);
  await mintTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey, token, chain.accounts[1]!.address, 10n ** 6n * USDT);
  evm = new EvmSender(chain.rpcUrl, chain.accounts[1]!.privateKey);
  const env = {
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_USDT_CONTRACT: token,
    CHAIN_ETH_CONFIRMATIONS: '2',
    CHAIN_ETH_POLL_MS: '100',
    CHAIN_WATCHER_PORT: '0',
    TREASURY_ETH_COLD_ADDRESS: cold,
    TREASURY_HOT_BANDS: 'ETH:0.5:4,USDT_ETH:-:1000',
  };
  stack = await startStack(env);
  watcher = await startChainWatcherWorker(stack.config, stack.log, 'ETH', { port: 0 });
  worker = await startTreasuryWorker(treasuryProcess.load({ ...stack.vars, ...env }), stack.log, 0, { poll: false });
}, 180_000);

afterAll(async () => {
  await worker?.close().catch(() => undefined);
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

async function mineUntil<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await evm.mine(1);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ledgerSql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return stack.subgraphs.get('ledger')!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);
}

function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return stack.subgraphs.get('wallet')!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);
}

async function onChain(address: string): Promise<{ eth: bigint; usdt: bigint }> {
  const provider = localProvider(chain.rpcUrl);
  try {
    const eth = await provider.getBalance(address);
    const data = '0x70a08231' + address.slice(2).toLowerCase().padStart(64, '0');
    const usdt = BigInt(await provider.call({ to: token, data }));
    return { eth, usdt };
  } finally {
    provider.destroy();
  }
}

describe('sweeps, gas top-ups, cold moves and reserves on the local EVM chain', () => {
  it('20 deposit addresses are swept into hot (tokens after an exact gas top-up); the excess over the ceiling goes to cold; reserves equal the chain', async () => {
    const hot = await worker.treasury.payouts.get('ETH')!.hotAddress();
    // The hot wallet's own coins for the gas top-ups (the platform's money, not a user's).
    await evm.sendNative(hot, 1n * ETH);
    const users = [];
    for (let i = 0; i < USERS; i++) users.push(await signIn());
    const eth = users.map((_, i) => (i % 2 === 0 ? ETH / 2n + BigInt(i) : 0n));
    const usdt = users.map((_, i) => BigInt(i + 1) * 10n * USDT + BigInt(i));
    for (const [i, u] of users.entries()) {
      if (eth[i]) await evm.sendNative(u.address, eth[i]!);
      await evm.sendToken(token, u.address, usdt[i]!);
    }
    const totalEth = eth.reduce((s, v) => s + v, 0n);
    const totalUsdt = usdt.reduce((s, v) => s + v, 0n);
    await mineUntil('every deposit credited', async () => {
      const [row] = await sql<{ n: string }>(
        `select count(*)::text as n from wallet.deposit where status = 'CREDITED'`,
      );
      return Number(row!.n) === USERS + USERS / 2;
    });

    // Treasury rounds while blocks are mined, until every deposit address is empty of the token and of
    // sweepable ETH, and the cold move is confirmed.
    await mineUntil(
      'sweeps and the cold move confirmed',
      async () => {
        await worker.treasury.round('ETH');
        const open = await sql<{ n: string }>(
          `select count(*)::text as n from wallet.treasury_move where status not in ('CONFIRMED', 'FAILED')`,
        );
        const cold = await sql<{ n: string }>(
          `select count(*)::text as n from wallet.treasury_move where kind = 'COLD' and status = 'CONFIRMED'`,
        );
        const sweeps = await sql<{ n: string }>(
          `select count(*)::text as n from wallet.treasury_move where kind = 'SWEEP' and status = 'CONFIRMED'`,
        );
        return Number(open[0]!.n) === 0 && Number(cold[0]!.n) >= 1 && Number(sweeps[0]!.n) === USERS + USERS / 2;
      },
      240_000,
    );

    const moves = await sql<{
      kind: string;
      asset: string;
      amount: string;
      status: string;
      fee: string | null;
      max_fee: string | null;
      from_address: string;
      to_address: string;
    }>(
      `select kind, asset, amount::text as amount, status, fee::text as fee, max_fee::text as max_fee, from_address, to_address from wallet.treasury_move order by created_at`,
    );
    const confirmed = moves.filter((m) => m.status === 'CONFIRMED');
    const tokenSweeps = confirmed.filter((m) => m.kind === 'SWEEP' && m.asset === 'USDT_ETH');
    const topUps = confirmed.filter((m) => m.kind === 'GAS_TOPUP');
    expect(tokenSweeps).toHaveLength(USERS);
    expect(tokenSweeps.reduce((s, m) => s + BigInt(m.amount), 0n)).toBe(totalUsdt);
    // Top-ups went to the addresses that held no ETH, one each (or a second after a re-quoted fee), and no more
    // than the token sweep's fee cap each time.
    const toppedUp = new Set(topUps.map((m) => m.to_address.toLowerCase()));
    expect(toppedUp).toEqual(new Set(users.filter((_, i) => i % 2 === 1).map((u) => u.address.toLowerCase())));
    for (const m of topUps) expect(BigInt(m.amount)).toBeLessThanOrEqual(1_000_000n * 10n ** 9n);

    // Every deposit address: no token left; ETH left is only the unused part of fee caps (< one cap). An address
    // that held no ETH keeps exactly what its top-ups brought less what its token sweep paid in gas.
    for (const [i, u] of users.entries()) {
      const left = await onChain(u.address);
      expect(left.usdt).toBe(0n);
      expect(left.eth).toBeLessThan(10n ** 15n);
      if (i % 2 === 1) {
        const mine = (m: { from_address: string; to_address: string }, side: 'from_address' | 'to_address') =>
          m[side].toLowerCase() === u.address.toLowerCase();
        const brought = topUps.filter((m) => mine(m, 'to_address')).reduce((s, m) => s + BigInt(m.amount), 0n);
        const paid = confirmed
          .filter((m) => m.kind === 'SWEEP' && mine(m, 'from_address'))
          .reduce((s, m) => s + BigInt(m.fee!), 0n);
        expect(left.eth).toBe(brought - paid);
      }
    }
    // Hot is back under its ceiling; cold holds exactly what the confirmed cold moves sent.
    const coldMoves = confirmed.filter((m) => m.kind === 'COLD');
    const hotNow = await onChain(hot);
    const coldNow = await onChain(cold);
    expect(hotNow.eth).toBeLessThanOrEqual(4n * ETH);
    expect(coldNow.eth).toBe(coldMoves.filter((m) => m.asset === 'ETH').reduce((s, m) => s + BigInt(m.amount), 0n));
    expect(coldNow.usdt).toBe(
      coldMoves.filter((m) => m.asset === 'USDT_ETH').reduce((s, m) => s + BigInt(m.amount), 0n),
    );
    expect(hotNow.usdt).toBeLessThanOrEqual(1000n * USDT);
    expect(hotNow.usdt + coldNow.usdt).toBe(totalUsdt);

    // Coins were only moved between platform addresses: on chain, ETH = deposits + hot's own 1 ETH − every fee paid.
    const fees = confirmed.reduce((s, m) => s + BigInt(m.fee ?? '0'), 0n);
    let depositEth = 0n;
    for (const u of users) depositEth += (await onChain(u.address)).eth;
    expect(hotNow.eth + coldNow.eth + depositEth).toBe(totalEth + ETH - fees);

    // The ledger posted each move's gas once (fees:ETH → custody:ETH:ETH): its custody now follows the chain,
    // short only by the hot wallet's own 1 ETH (funded outside the ledger), and fees:ETH carries what was paid.
    const paidMoves = confirmed.filter((m) => BigInt(m.fee ?? '0') > 0n).length;
    await mineUntil('the ledger to post every move fee', async () => {
      const [row] = await ledgerSql<{ n: string }>(
        `select count(*)::text as n from ledger.transaction where kind = 'FEE' and reference like 'treasury-move:%'`,
      );
      return Number(row!.n) === paidMoves;
    });
    const systemBalance = async (account: string) =>
      BigInt(
        (
          await ledgerSql<{ total: string }>(
            'select coalesce(sum(amount), 0)::text as total from ledger.balance where account = ?',
            [account],
          )
        )[0]!.total,
      );
    const feesBalance = await systemBalance('fees:ETH');
    expect(feesBalance).toBe(-fees);
    expect(-(await systemBalance('custody:ETH:ETH'))).toBe(hotNow.eth + coldNow.eth + depositEth - ETH);
    expect(await systemBalance('custody:ETH:USDT_ETH')).toBe(-totalUsdt);
    const report = await verifyLedger(stack.subgraphs.get('ledger')!.deps.orm.em.fork());
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);

    // reserves through the gateway: exactly these chain sums, against the ledger's liabilities.
    const finance = await signInStaff(stack, ['FINANCE']);
    const res = await gql(
      stack.graphqlUrl,
      `{ reserves(assets: ["ETH", "USDT_ETH"]) { asset onChain hot cold deposits hotAddress liabilities surplus } }`,
      {},
      finance.token,
    );
    expect(res.body.errors).toBeUndefined();
    const [ethRow, usdtRow] = res.body.data!.reserves;
    expect(ethRow).toEqual({
      asset: 'ETH',
      onChain: formatAmount(hotNow.eth + coldNow.eth + depositEth, 18),
      hot: formatAmount(hotNow.eth, 18),
      cold: formatAmount(coldNow.eth, 18),
      deposits: formatAmount(depositEth, 18),
      hotAddress: hot,
      liabilities: formatAmount(totalEth, 18),
      // The platform's own coins: the hot wallet's funding plus its fee account (which paid every move's gas).
      surplus: formatAmount(ETH + feesBalance, 18),
    });
    expect(usdtRow).toMatchObject({
      onChain: formatAmount(totalUsdt, 6),
      hot: formatAmount(hotNow.usdt, 6),
      cold: formatAmount(coldNow.usdt, 6),
      deposits: '0',
      liabilities: formatAmount(totalUsdt, 6),
      surplus: '0',
    });

    // The staff treasury view: the same chain figures, nothing in flight, the band, the ledger's liabilities.
    const view = await gql(
      stack.graphqlUrl,
      `{ treasury(networks: [ETH]) { network asset hot cold inFlight floor ceiling liabilities } }`,
      {},
      finance.token,
    );
    expect(view.body.errors).toBeUndefined();
    expect(view.body.data!.treasury).toEqual([
      {
        network: 'ETH',
        asset: 'ETH',
        hot: formatAmount(hotNow.eth, 18),
        cold: formatAmount(coldNow.eth, 18),
        inFlight: '0',
        floor: '0.5',
        ceiling: '4',
        liabilities: formatAmount(totalEth, 18),
      },
      {
        network: 'ETH',
        asset: 'USDT_ETH',
        hot: formatAmount(hotNow.usdt, 6),
        cold: formatAmount(coldNow.usdt, 6),
        inFlight: '0',
        floor: null,
        ceiling: '1000',
        liabilities: formatAmount(totalUsdt, 6),
      },
    ]);

    // Every move published its outcome through the outbox.
    const events = await sql<{ type: string; n: string }>(
      `select envelope->>'type' as type, count(*)::text as n from wallet.outbox where envelope->>'type' like 'wallet.sweep.%' group by 1 order by 1`,
    );
    expect(Object.fromEntries(events.map((e) => [e.type, Number(e.n)]))['wallet.sweep.confirmed']).toBe(
      confirmed.length,
    );
  });
});
