import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployTestToken,
  mintTestToken,
  rpc,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../../devnet/evm/local-chain.js';
import { startTonSimulator, type TonSimulator } from '../../../devnet/ton/toncenter.simulator.js';
import { startTronSimulator, type TronSimulator } from '../../../devnet/tron/trongrid.simulator.js';
import type { Network } from '../../../chains/network.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { newId } from '../../../platform/ids.js';
import { formatAmount, parseAmount } from '../../../platform/money/amount.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { gql } from '../../../testing/graphql-client.js';
import { publishMarketPrice } from '../../../testing/market-prices.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { buildKeyring } from '../custody-root/keyring.js';
import { deriveAddress, mnemonicToSeed, type MasterKeyring } from '../custody/index.js';
import type { ChainPayout } from '../payout/payout.port.js';
import { createChainPayouts } from '../payout/payouts.factory.js';
import { WithdrawalProcessor } from './withdrawal.processor.js';

/**
 * Every other asset end to end through the gateway (ETH and USDT ERC20: withdrawal.e2e.test.ts): BNB and USDT BEP20
 * (18 decimals) on a local EVM chain, TRX and USDT TRC20 on the TronGrid simulator, TON (with a comment) and USDT on
 * TON on the toncenter simulator. Each: requested, held, signed, broadcast, confirmed, captured; the recipient's
 * on-chain balance grew by exactly the amount and the user's balance fell by exactly amount + fee.
 */

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

let bsc: LocalEvmChain;
let bscToken: string;
let tron: TronSimulator;
let ton: TonSimulator;
let stack: TestStack;
let keyring: MasterKeyring;
let payouts: Map<Network, ChainPayout>;
let processor: WithdrawalProcessor;
let seed: Uint8Array;
let nextIndex = 100;

function walletEm() {
  return stack.subgraphs.get('wallet')!.deps.orm.em.fork();
}

async function waitUntil<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function signIn(): Promise<{ token: string; userId: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  return { token: res.body.data!.signInWithTelegram.accessToken, userId: res.body.data!.signInWithTelegram.user.id };
}

async function balance(token: string, asset: string): Promise<{ available: string; held: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `query($a: [String!]) { me { balances(assets: $a) { available held } } }`,
    { a: [asset] },
    token,
  );
  return res.body.data!.me.balances[0] ?? { available: '0', held: '0' };
}

async function chainBalance(network: Network, asset: string, address: string): Promise<bigint> {
  switch (asset) {
    case 'BNB':
      return BigInt(await rpc<string>(bsc.rpcUrl, 'eth_getBalance', [address, 'latest']));
    case 'USDT_BSC':
      return BigInt(
        await rpc<string>(bsc.rpcUrl, 'eth_call', [
          { to: bscToken, data: '0x70a08231' + address.slice(2).toLowerCase().padStart(64, '0') },
          'latest',
        ]),
      );
    case 'TRX':
      return tron.balance(address);
    case 'USDT_TRON':
      return tron.balance(address, 'USDT');
    case 'TON':
      return ton.balance(address);
    case 'USDT_TON':
      return ton.jettonBalance(address);
  }
  throw new Error(`no balance reader for ${network} ${asset}`);
}

function mine(network: Network): Promise<unknown> {
  if (network === 'BSC') return rpc(bsc.rpcUrl, 'evm_mine');
  if (network === 'TRON') return Promise.resolve(tron.mine(1));
  return Promise.resolve(ton.mine(1));
}

async function statusOf(id: string): Promise<string> {
  const [row] = await walletEm().execute<{ status: string }[]>('select status from wallet.withdrawal where id = ?', [
    id,
  ]);
  return row!.status;
}

async function walletPrice(coin: string, value: string): Promise<void> {
  await publishMarketPrice(stack, coin, 'USD', value);
  await waitUntil(`wallet has ${coin}/USD`, async () => {
    const rows = await walletEm().execute(`select 1 from wallet.price where coin = ? and quote = 'USD'`, [coin]);
    return rows.length > 0;
  });
}

beforeAll(async () => {
  seed = await mnemonicToSeed(ABOUT);
  bsc = await startLocalEvmChain({ chainId: 56 });
  bscToken = await deployTestToken(bsc.rpcUrl, bsc.accounts[0]!.privateKey, { decimals: 18 });
  tron = await startTronSimulator({ blockIntervalMs: null });
  ton = await startTonSimulator({ blockIntervalMs: null });
  stack = await startStack({
    CHAIN_BSC_RPC_URL: bsc.rpcUrl,
    CHAIN_BSC_USDT_CONTRACT: bscToken,
    CHAIN_BSC_CONFIRMATIONS: '2',
    CHAIN_BSC_CHAIN_ID: '56',
    CHAIN_TRON_API_URL: tron.url,
    CHAIN_TRON_USDT_CONTRACT: tron.usdtContract,
    CHAIN_TRON_CONFIRMATIONS: '2',
    CHAIN_TON_API_URL: ton.url,
    CHAIN_TON_CONFIRMATIONS: '1',
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
  processor = new WithdrawalProcessor(
    () => wallet.orm.em.fork(),
    payouts,
    { stuckAfterMs: 600_000, confirmPollMs: 0, retryMs: 10 },
    stack.log,
  );
  const hotBsc = await payouts.get('BSC')!.hotAddress();
  await rpc(bsc.rpcUrl, 'hardhat_setBalance', [hotBsc, `0x${(100n * 10n ** 18n).toString(16)}`]);
  await mintTestToken(bsc.rpcUrl, bsc.accounts[0]!.privateKey, bscToken, hotBsc, 1000n * 10n ** 18n);
  const hotTron = await payouts.get('TRON')!.hotAddress();
  tron.send({ to: hotTron, amount: 10_000_000_000n });
  tron.send({ to: hotTron, amount: 1_000_000_000n, token: 'USDT' });
  const hotTon = await payouts.get('TON')!.hotAddress();
  ton.send({ to: hotTon, amount: 1000n * 10n ** 9n });
  ton.send({ to: hotTon, amount: 1_000_000_000n, jetton: 'USDT' });
  for (const [coin, value] of [
    ['BNB', '600'],
    ['TRX', '0.25'],
    ['TON', '5'],
    ['USDT', '1'],
  ] as const)
    await walletPrice(coin, value);
}, 120_000);

afterAll(async () => {
  keyring?.destroy();
  await stack?.close();
  await tron?.close();
  await ton?.close();
  await bsc?.stop();
});

const CASES: { network: Network; asset: string; credit: string; amount: string; memo?: string }[] = [
  { network: 'BSC', asset: 'BNB', credit: '1', amount: '0.05' },
  { network: 'BSC', asset: 'USDT_BSC', credit: '100', amount: '12.5' },
  { network: 'TRON', asset: 'TRX', credit: '500', amount: '123.456789' },
  { network: 'TRON', asset: 'USDT_TRON', credit: '100', amount: '20' },
  { network: 'TON', asset: 'TON', credit: '50', amount: '1.5', memo: 'wd test' },
  { network: 'TON', asset: 'USDT_TON', credit: '100', amount: '7.654321' },
];

describe('withdrawals on every other network', () => {
  for (const c of CASES) {
    it(`${c.asset}: requested, held, broadcast, confirmed, captured; the recipient got exactly ${c.amount}`, async () => {
      const decimals = assetInfo(c.asset)!.decimals;
      const user = await signIn();
      await walletEm().transactional(async (tx) => {
        recordEvent(tx, 'wallet.deposit.confirmed', 'wallet', {
          depositId: newId('dep'),
          userId: user.userId,
          network: c.network,
          asset: c.asset,
          amount: parseAmount(c.credit, decimals).toString(),
          txHash: randomBytes(32).toString('hex'),
          outputIndex: 0,
        });
      });
      await waitUntil('credited', async () => (await balance(user.token, c.asset)).available === c.credit);
      const to =
        c.network === 'BSC' ? `0x${randomBytes(20).toString('hex')}` : deriveAddress(seed, c.network, nextIndex++);
      const before = await chainBalance(c.network, c.asset, to);
      const res = await gql(
        stack.graphqlUrl,
        `mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { id status fee memo } }`,
        {
          i: { asset: c.asset, toAddress: to, amount: c.amount, memo: c.memo ?? null, idempotencyKey: newId('key') },
        },
        user.token,
      );
      expect(res.body.errors).toBeUndefined();
      const w = res.body.data!.requestWithdrawal;
      expect(w.status).toBe('APPROVED');
      expect(w.memo).toBe(c.memo ?? null);
      const deadline = Date.now() + 60_000;
      while ((await statusOf(w.id)) !== 'COMPLETED') {
        if (Date.now() > deadline) throw new Error(`${c.asset} withdrawal stuck at ${await statusOf(w.id)}`);
        await walletEm().execute('update wallet.withdrawal set next_attempt_at = now() where id = ?', [w.id]);
        await processor.step(c.network);
        await mine(c.network);
      }
      expect(await chainBalance(c.network, c.asset, to)).toBe(before + parseAmount(c.amount, decimals));
      const [row] = (await walletEm().execute<{ fee: string }[]>(
        'select fee::text as fee from wallet.withdrawal where id = ?',
        [w.id],
      )) as [{ fee: string }];
      const left = parseAmount(c.credit, decimals) - parseAmount(c.amount, decimals) - BigInt(row.fee);
      await waitUntil('hold captured', async () => {
        const b = await balance(user.token, c.asset);
        return b.held === '0' && b.available === formatAmount(left, decimals);
      });
    });
  }
});
