import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { rpc, startLocalEvmChain } from '../devnet/evm/local-chain.js';
import { recordEvent } from '../platform/bus/outbox.js';
import { withdrawalBroadcasterProcess } from '../platform/config/config.js';
import { newId } from '../platform/ids.js';
import { createLogger } from '../platform/logger.js';
import { gql } from '../testing/graphql-client.js';
import { publishMarketPrice } from '../testing/market-prices.js';
import { startStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { startWithdrawalBroadcaster } from '../workers/withdrawal-broadcaster/broadcaster.worker.js';
import { arg, machine, percentile as pct } from './harness.js';

/**
 * npm run bench:withdrawals [-- --users 20 --withdrawals 200 --lanes 4]
 *
 * The whole supergraph in this process (gateway, subgraphs, relay) plus the withdrawal broadcaster (in process,
 * --lanes lanes) against a local hardhat chain (automining, 1 confirmation). --users users, each credited 10 ETH,
 * request --withdrawals ETH withdrawals between them (each user one at a time, the users concurrently) through the
 * gateway, each to a fresh address (no cool-off, below the approval threshold):
 * 1. withdrawals/s from the first request to the last one BROADCAST, and p50/p99 of request → COMPLETED (from the
 *    row's created_at to its COMPLETED updated_at);
 * 2. baseline in the same run: the same number of plain `transfer`s between the same users through the gateway,
 *    with the same concurrency: transfers/s and p50/p99 of one transfer mutation.
 */
const USERS = arg('users', 20);
const WITHDRAWALS = arg('withdrawals', 200);
const LANES = arg('lanes', 4);
const ETH = 10n ** 18n;

const t0 = performance.now();
const phase = (text: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${text}\n`);
const f = (v: number, d = 0) => v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

process.stdout.write(`bench:withdrawals — ${machine()}\n`);
const chain = await startLocalEvmChain({ chainId: 1337 });
const stack = await startStack({
  CHAIN_ETH_RPC_URL: chain.rpcUrl,
  CHAIN_ETH_CONFIRMATIONS: '1',
  CHAIN_ETH_CHAIN_ID: '1337',
  WITHDRAWAL_ADDRESS_COOL_OFF_SECONDS: '0',
  WITHDRAWAL_APPROVAL_THRESHOLD_USD: '1000000',
  WITHDRAWAL_HOLD_WAIT_MS: '10000',
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000',
  RATE_LIMIT_IP_PER_MINUTE: '1000000',
  LEDGER_FEES: '*:0:0',
});
const walletEm = () => stack.subgraphs.get('wallet')!.deps.orm.em.fork();
const broadcaster = await startWithdrawalBroadcaster(
  withdrawalBroadcasterProcess.load({
    ...stack.vars,
    WITHDRAWAL_BROADCASTER_LANES: String(LANES),
    WITHDRAWAL_BROADCASTER_POLL_MS: '20',
    WITHDRAWAL_CONFIRM_POLL_MS: '100',
    // hardhat's automine refuses a nonce ahead of the next one ("nonce too high") where a real node would queue
    // it: lanes that sign in parallel then retry the later broadcast a moment later.
    WITHDRAWAL_RETRY_MS: '50',
  }),
  createLogger({ name: 'withdrawal-broadcaster', level: 'warn' }),
  0,
);
try {
  phase('funding the hot wallet, prices, users');
  // The hot wallet of the ETH payout: the one the broadcaster signs from.
  const hot = await broadcasterHotAddress();
  await rpc(chain.rpcUrl, 'hardhat_setBalance', [hot, `0x${(10n ** 6n * ETH).toString(16)}`]);
  await publishMarketPrice(stack, 'ETH', 'USD', '2000');
  for (;;) {
    if ((await walletEm().execute('select 1 from wallet.price')).length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const users: { token: string; userId: string }[] = [];
  for (let i = 0; i < USERS; i++) {
    const res = await gql(
      stack.graphqlUrl,
      `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
      { d: initDataFor(newTelegramUser()) },
    );
    users.push({
      token: res.body.data!.signInWithTelegram.accessToken,
      userId: res.body.data!.signInWithTelegram.user.id,
    });
  }
  await walletEm().transactional(async (tx) => {
    for (const u of users)
      recordEvent(tx, 'wallet.deposit.confirmed', 'wallet', {
        depositId: newId('dep'),
        userId: u.userId,
        network: 'ETH',
        asset: 'ETH',
        amount: (10n * ETH).toString(),
        txHash: `0x${randomBytes(32).toString('hex')}`,
        outputIndex: 0,
      });
  });
  for (const u of users)
    for (;;) {
      const b = await gql(stack.graphqlUrl, `{ me { balances(assets: ["ETH"]) { available } } }`, {}, u.token);
      if (b.body.data?.me.balances[0]?.available === '10') break;
      await new Promise((r) => setTimeout(r, 50));
    }

  // Baseline first: transfers between the same users, same concurrency.
  phase(`baseline: ${WITHDRAWALS} transfers`);
  const transferLatency: number[] = [];
  const transferErrors: string[] = [];
  const perUser = Math.ceil(WITHDRAWALS / USERS);
  const tStart = performance.now();
  await Promise.all(
    users.map(async (u, i) => {
      const to = users[(i + 1) % users.length]!;
      for (let k = 0; k < perUser && i * perUser + k < WITHDRAWALS; k++) {
        const s = performance.now();
        const r = await gql(
          stack.graphqlUrl,
          `mutation($i: TransferInput!) { transfer(input: $i) { __typename } }`,
          { i: { toUserId: to.userId, asset: 'ETH', amount: '0.001', idempotencyKey: newId('key') } },
          u.token,
        );
        if (r.body.errors || r.body.data!.transfer.__typename !== 'Transaction') {
          transferErrors.push(JSON.stringify(r.body.errors ?? r.body.data).slice(0, 200));
          continue;
        }
        transferLatency.push(performance.now() - s);
      }
    }),
  );
  const transferSeconds = (performance.now() - tStart) / 1000;

  phase(`${WITHDRAWALS} withdrawals`);
  const ids: string[] = [];
  const wStart = performance.now();
  await Promise.all(
    users.map(async (u, i) => {
      for (let k = 0; k < perUser && i * perUser + k < WITHDRAWALS; k++) {
        const r = await gql(
          stack.graphqlUrl,
          `mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { id status } }`,
          {
            i: {
              asset: 'ETH',
              toAddress: `0x${randomBytes(20).toString('hex')}`,
              amount: '0.001',
              idempotencyKey: newId('key'),
            },
          },
          u.token,
        );
        if (r.body.errors) throw new Error(`withdrawal refused: ${JSON.stringify(r.body.errors)}`);
        ids.push(r.body.data!.requestWithdrawal.id);
      }
    }),
  );
  const requestedSeconds = (performance.now() - wStart) / 1000;
  let broadcastSeconds = 0;
  let lastReport = 0;
  for (;;) {
    const [row] = await walletEm().execute<{ sent: string; done: string }[]>(
      `select count(*) filter (where broadcast_at is not null)::text as sent, count(*) filter (where status = 'COMPLETED')::text as done from wallet.withdrawal`,
    );
    if (!broadcastSeconds && Number(row!.sent) >= ids.length) broadcastSeconds = (performance.now() - wStart) / 1000;
    if (Number(row!.done) >= ids.length) break;
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      const states = await walletEm().execute<{ status: string; n: string; err: string | null }[]>(
        `select status, count(*)::text as n, max(last_error) as err from wallet.withdrawal group by status`,
      );
      phase(
        `waiting: ${states.map((s) => `${s.status} ${s.n}${s.err ? ` (${s.err.slice(0, 120)})` : ''}`).join(', ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const completedSeconds = (performance.now() - wStart) / 1000;
  const latencies = (
    await walletEm().execute<{ ms: string }[]>(
      `select (extract(epoch from (updated_at - created_at)) * 1000)::text as ms from wallet.withdrawal where status = 'COMPLETED'`,
    )
  ).map((r) => Number(r.ms));

  const wRate = ids.length / broadcastSeconds;
  const tRate = transferLatency.length / transferSeconds;
  const lines = [
    `${USERS} users, ${ids.length} withdrawals / transfers, broadcaster lanes ${LANES}, hardhat automine, 1 confirmation`,
    '',
    '| operation | per second | p50 ms | p99 ms |',
    '|---|---:|---:|---:|',
    `| transfer (baseline) | ${f(tRate, 1)} | ${f(pct(transferLatency, 50))} | ${f(pct(transferLatency, 99))} |`,
    `| withdrawal: request → BROADCAST (all ${ids.length}) | ${f(wRate, 1)} | – | – |`,
    `| withdrawal: request → COMPLETED | ${f(ids.length / completedSeconds, 1)} | ${f(pct(latencies, 50))} | ${f(pct(latencies, 99))} |`,
    `| **withdrawal / transfer** | **${f(wRate / tRate, 2)}×** | **${f(pct(latencies, 50) / pct(transferLatency, 50), 1)}×** | **${f(pct(latencies, 99) / pct(transferLatency, 99), 1)}×** |`,
    '',
    `transfers refused or failed: ${transferErrors.length}${transferErrors.length ? ` (first: ${transferErrors[0]})` : ''}`,
    `requests alone took ${f(requestedSeconds, 1)} s (${f(ids.length / requestedSeconds, 1)}/s, each waiting for its hold)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');

  async function broadcasterHotAddress(): Promise<string> {
    const { createChainPayouts } = await import('../subgraphs/wallet/ports.js');
    const { buildKeyring } = await import('../subgraphs/wallet/custody-root/keyring.js');
    const wallet = stack.subgraphs.get('wallet')!.deps;
    const keyring = buildKeyring(wallet.config);
    try {
      const payouts = createChainPayouts({
        em: () => wallet.orm.em.fork(),
        keyring,
        chains: wallet.config.chains,
        payouts: wallet.config.payouts,
        log: stack.log,
      });
      return await payouts.get('ETH')!.hotAddress();
    } finally {
      keyring.destroy();
    }
  }
} finally {
  await broadcaster.close();
  await stack.close();
  await chain.stop();
}
