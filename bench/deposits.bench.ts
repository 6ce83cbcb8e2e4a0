import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Contract, Wallet } from 'ethers';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  deployTestToken,
  localProvider,
  mintTestToken,
  startLocalEvmChain,
  tetherTokenArtifact,
} from '../devnet/evm/local-chain.js';
import { createEvmRpcClient, ERC20_TRANSFER_TOPIC } from '../providers/evm-rpc/index.js';
import { gql } from '../testing/graphql-client.js';
import { startStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { DepositIngest } from '../subgraphs/wallet/deposit/deposit.ingest.js';
import { createWatcherMetrics } from '../workers/chain-watchers/core/watcher.metrics.js';
import { ChainWatcher } from '../workers/chain-watchers/core/watcher.js';
import { startChainWatcherWorker } from '../workers/chain-watchers/core/watcher.worker.js';
import { createEvmSource } from '../workers/chain-watchers/evm/evm.source.js';
import { Registry } from 'prom-client';
import { arg, machine, percentile as pct } from './harness.js';

/**
 * npm run bench:deposits [-- --deposits 500 --users 50 --per-block 10 --block-ms 1000 --poll-ms 250 --confirmations 12 --corpus-blocks 1000]
 *
 * The whole supergraph in this process (gateway, subgraphs, relay) plus the ETH watcher, against a local hardhat
 * chain with automining off: we mine a block every --block-ms, `--per-block` deposits in each until all are sent
 * (half ETH, half USDT), among --users users who each hold a graphql-ws subscription to depositUpdated.
 * 1. Latency, per deposit, from the moment the block giving it its required confirmations was mined to the
 *    graphql-ws push: of the credit request (confirmedAt set) and of CREDITED (after the ledger round trip).
 *    Baseline in the same run: updateSettings → meUpdated push, i.e. one outbox → relay → NATS → gateway → push hop.
 * 2. Scan rate: the watcher re-scans the whole chain from block 0 (a corpus of --corpus-blocks blocks with
 *    transfers to strangers, plus the deposit blocks): blocks/s and transactions/s, against the bare JSON-RPC reads
 *    of the same ranges (the same batched calls, no database) as the baseline.
 */
const DEPOSITS = arg('deposits', 500);
const USERS = arg('users', 50);
const PER_BLOCK = arg('per-block', 10);
const BLOCK_MS = arg('block-ms', 1000);
const POLL_MS = arg('poll-ms', 250);
const CONFIRMATIONS = arg('confirmations', 12);
const CORPUS_BLOCKS = arg('corpus-blocks', 1000);
const CORPUS_TX_BLOCKS = Math.min(200, CORPUS_BLOCKS);
const BASELINE_SAMPLES = arg('baseline', 100);

const t0 = performance.now();
const phase = (text: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${text}\n`);
const ms = (v: number) => `${v.toFixed(0)} ms`;

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

process.stdout.write(`bench:deposits — ${machine()}\n`);
const chain = await startLocalEvmChain({ chainId: 1337 });
const [owner, funder, corpusSender] = chain.accounts;
const token = await deployTestToken(chain.rpcUrl, owner!.privateKey);
await mintTestToken(chain.rpcUrl, owner!.privateKey, token, funder!.address, 10n ** 15n);
const provider = localProvider(chain.rpcUrl);

// A scan corpus: transfers to addresses that are not ours, then empty blocks.
phase('building the scan corpus');
{
  await rpc(chain.rpcUrl, 'evm_setAutomine', [false]);
  const sender = new Wallet(corpusSender!.privateKey, provider);
  let nonce = await provider.getTransactionCount(sender.address, 'pending');
  for (let b = 0; b < CORPUS_TX_BLOCKS; b++) {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        sender.sendTransaction({
          to: `0x${(b * 10 + i + 1).toString(16).padStart(40, '0')}`,
          value: 1n,
          nonce: nonce++,
          gasLimit: 21_000n,
        }),
      ),
    );
    await rpc(chain.rpcUrl, 'evm_mine');
  }
  // evm_mine one by one: hardhat_mine's "reserved" blocks do not link by parent hash, which a watcher rightly refuses.
  for (let b = CORPUS_TX_BLOCKS; b < CORPUS_BLOCKS; b++) await rpc(chain.rpcUrl, 'evm_mine');
}

phase('starting the stack');
const stack = await startStack({
  CHAIN_ETH_RPC_URL: chain.rpcUrl,
  CHAIN_ETH_USDT_CONTRACT: token,
  CHAIN_ETH_CONFIRMATIONS: String(CONFIRMATIONS),
  CHAIN_ETH_POLL_MS: String(POLL_MS),
  CHAIN_WATCHER_PORT: '0',
  OUTBOX_POLL_MS: '500',
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000',
  RATE_LIMIT_IP_PER_MINUTE: '100000',
});
const watcher = await startChainWatcherWorker(stack.config, stack.log, 'ETH', { port: 0 });

phase('users and sockets');
// Users, their addresses and their sockets.
interface Seen {
  confirmedPushAt?: number;
  creditedPushAt?: number;
  block?: bigint;
}
const seen = new Map<string, Seen>();
const clients: Client[] = [];
const users: { token: string; address: string }[] = [];
for (let i = 0; i < USERS; i++) {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const accessToken = res.body.data!.signInWithTelegram.accessToken as string;
  const addr = await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, accessToken);
  users.push({ token: accessToken, address: addr.body.data!.me.depositAddress.address });
  const client = createClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${accessToken}` },
    retryAttempts: 0,
  });
  clients.push(client);
  client.subscribe<{ depositUpdated: { id: string; status: string; blockNumber: string; confirmedAt: string | null } }>(
    { query: 'subscription { depositUpdated { id status blockNumber confirmedAt } }' },
    {
      next: (value) => {
        const d = value.data?.depositUpdated;
        if (!d) return;
        const now = performance.now();
        const s = seen.get(d.id) ?? {};
        s.block = BigInt(d.blockNumber);
        if (d.confirmedAt && s.confirmedPushAt === undefined) s.confirmedPushAt = now;
        if (d.status === 'CREDITED' && s.creditedPushAt === undefined) s.creditedPushAt = now;
        seen.set(d.id, s);
      },
      error: (err) => process.stderr.write(`subscription error: ${JSON.stringify(err)}\n`),
      complete: () => undefined,
    },
  );
}
await new Promise((r) => setTimeout(r, 1_000));

phase('baseline');
// Baseline: one outbox event to one push (updateSettings → meUpdated).
const baseline: number[] = [];
{
  const user = users[0]!;
  const client = createClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.token}` },
    retryAttempts: 0,
  });
  clients.push(client);
  let resolve: (() => void) | null = null;
  client.subscribe(
    { query: 'subscription { meUpdated { id settings { language } } }' },
    { next: () => resolve?.(), error: () => undefined, complete: () => undefined },
  );
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < BASELINE_SAMPLES; i++) {
    const pushed = new Promise<void>((r, reject) => {
      resolve = r;
      setTimeout(() => reject(new Error('no meUpdated push within 10 s')), 10_000).unref();
    });
    const started = performance.now();
    const res = await gql(
      stack.graphqlUrl,
      `mutation { updateSettings(input: { language: ${i % 2 ? 'EN' : 'FA'} }) { id } }`,
      {},
      user.token,
    );
    if (res.body.errors) throw new Error(`updateSettings: ${JSON.stringify(res.body.errors)}`);
    await pushed;
    baseline.push(performance.now() - started);
  }
}

phase('deposits');
// The deposits: --per-block per mined block, then blocks keep coming until every credit was pushed.
const minedAt = new Map<bigint, number>();
const funderWallet = new Wallet(funder!.privateKey, provider);
const usdt = new Contract(token, tetherTokenArtifact().abi, funderWallet);
let nonce = await provider.getTransactionCount(funderWallet.address, 'pending');
let sent = 0;
const started = performance.now();
const deadline = Date.now() + 10 * 60_000;
while (Date.now() < deadline) {
  const round = performance.now();
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < PER_BLOCK && sent < DEPOSITS; i++, sent++) {
    const to = users[sent % users.length]!.address;
    batch.push(
      sent % 2 === 0
        ? funderWallet.sendTransaction({ to, value: 10n ** 16n + BigInt(sent), nonce: nonce++, gasLimit: 21_000n })
        : usdt.getFunction('transfer')(to, 10_000_000n + BigInt(sent), { nonce: nonce++, gasLimit: 100_000n }),
    );
  }
  await Promise.all(batch);
  await rpc(chain.rpcUrl, 'evm_mine');
  minedAt.set(BigInt(await rpc<string>(chain.rpcUrl, 'eth_blockNumber')), performance.now());
  const credited = [...seen.values()].filter((s) => s.creditedPushAt !== undefined).length;
  if (sent >= DEPOSITS && credited >= DEPOSITS) break;
  const wait = BLOCK_MS - (performance.now() - round);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
const elapsed = (performance.now() - started) / 1000;
const confirmLatency: number[] = [];
const creditLatency: number[] = [];
for (const s of seen.values()) {
  const t0 = s.block === undefined ? undefined : minedAt.get(s.block + BigInt(CONFIRMATIONS) - 1n);
  if (t0 === undefined) continue;
  if (s.confirmedPushAt !== undefined) confirmLatency.push(s.confirmedPushAt - t0);
  if (s.creditedPushAt !== undefined) creditLatency.push(s.creditedPushAt - t0);
}
for (const c of clients) await c.dispose();
await watcher.close();

// Where the time goes, per deposit, from the database's own timestamps (epoch ms; pushes and blocks converted).
const epoch = (perf: number) => performance.timeOrigin + perf;
const walletDb = stack.subgraphs.get('wallet')!.deps.orm.em.fork().getConnection();
const ledgerDb = stack.subgraphs.get('ledger')!.deps.orm.em.fork().getConnection();
const stageRows = await walletDb.execute<
  {
    id: string;
    block: string;
    confirmed: string;
    confirm_published: string;
    credited: string;
    credit_published: string;
    txn: string;
  }[]
>(
  `select d.id, d.block_number::text as block, extract(epoch from d.confirmed_at) * 1000 as confirmed, extract(epoch from c.published_at) * 1000 as confirm_published,
     extract(epoch from d.credited_at) * 1000 as credited, extract(epoch from k.published_at) * 1000 as credit_published, d.transaction_id as txn
   from wallet.deposit d
   join wallet.outbox c on c.id = d.confirm_event_id
   join wallet.outbox k on k.subject = 'wallet.deposit.credited' and k.envelope->'payload'->>'depositId' = d.id
   where d.status = 'CREDITED'`,
);
const ledgerRows = await ledgerDb.execute<{ id: string; created: string; published: string }[]>(
  `select t.id, extract(epoch from t.created_at) * 1000 as created, extract(epoch from o.published_at) * 1000 as published
   from ledger.transaction t join ledger.outbox o on o.envelope->'payload'->>'transactionId' = t.id where t.kind = 'DEPOSIT'`,
);
const ledgerById = new Map(ledgerRows.map((r) => [r.id, r] as const));
const stages: Record<string, number[]> = {
  'block mined → credit requested (watcher poll + ingest)': [],
  'credit requested → published (relay)': [],
  'published → ledger transaction begun (postings consumer queue)': [],
  'ledger transaction begun → published (posting, commit, waker, relay)': [],
  'published → deposit CREDITED (wallet consumer)': [],
  'CREDITED → published (relay)': [],
  'published → graphql-ws push (gateway follow-up)': [],
};
for (const r of stageRows) {
  const pushed = seen.get(r.id);
  const mined = minedAt.get(BigInt(r.block) + BigInt(CONFIRMATIONS) - 1n);
  const l = ledgerById.get(r.txn);
  if (!pushed?.creditedPushAt || mined === undefined || !l) continue;
  const points = [
    epoch(mined),
    Number(r.confirmed),
    Number(r.confirm_published),
    Number(l.created),
    Number(l.published),
    Number(r.credited),
    Number(r.credit_published),
    epoch(pushed.creditedPushAt),
  ];
  Object.values(stages).forEach((list, i) => list.push(points[i + 1]! - points[i]!));
}

phase('scan rate');
// Scan rate: the watcher re-reads the chain from block 0 (cursor reset), against bare RPC reads of the same ranges.
const walletEm = stack.subgraphs.get('wallet')!.deps.orm.em;
const head = BigInt(await rpc<string>(chain.rpcUrl, 'eth_blockNumber'));
const batchBlocks = stack.config.chains.scanBatchBlocks;
let rawSeconds = 0;
let rawTxs = 0;
{
  const client = createEvmRpcClient({ rpcUrl: chain.rpcUrl });
  const t = performance.now();
  for (let from = 1n; from <= head; from += BigInt(batchBlocks)) {
    const to = from + BigInt(batchBlocks) - 1n > head ? head : from + BigInt(batchBlocks) - 1n;
    const numbers: bigint[] = [];
    for (let n = from; n <= to; n++) numbers.push(n);
    const blocks = await client.getBlocks(numbers, { transactions: true });
    rawTxs += blocks.reduce((n, b) => n + (b?.transactions.length ?? 0), 0);
    await client.getLogs({ fromBlock: from, toBlock: to, address: token, topics: [ERC20_TRANSFER_TOPIC] });
  }
  rawSeconds = (performance.now() - t) / 1000;
}
await walletEm.fork().getConnection().execute(`delete from wallet.chain_block where network = 'ETH'`);
await walletEm.fork().getConnection().execute(`delete from wallet.chain_cursor where network = 'ETH'`);
const rescan = new ChainWatcher({
  source: createEvmSource({ network: 'ETH', rpcUrl: chain.rpcUrl, usdtContract: token, chainId: 1337 }),
  ingest: new DepositIngest(
    { network: 'ETH', confirmations: CONFIRMATIONS, reorgWindow: stack.config.chains.reorgWindow },
    stack.log,
  ),
  em: () => walletEm.fork(),
  settings: {
    pollMs: POLL_MS,
    batchBlocks,
    startHeight: 1n,
    reorgWindow: stack.config.chains.reorgWindow,
    allowChainReset: false,
  },
  log: stack.log,
  metrics: createWatcherMetrics(new Registry()),
});
let scanned = 0;
let scannedTxs = 0;
const scanStart = performance.now();
for (;;) {
  const r = await rescan.step();
  if (r.kind === 'advanced') {
    scanned += r.blocks;
    scannedTxs += r.transactions;
  }
  if ((r.kind === 'idle' || r.kind === 'advanced') && r.cursor >= head) break;
}
const scanSeconds = (performance.now() - scanStart) / 1000;

const b50 = pct(baseline, 50);
const b99 = pct(baseline, 99);
const rows: [string, string, string, string][] = [
  ['baseline: updateSettings → meUpdated push', ms(b50), ms(b99), '1.0× / 1.0×'],
  [
    `credit requested → push (confirmedAt), ${confirmLatency.length} deposits`,
    ms(pct(confirmLatency, 50)),
    ms(pct(confirmLatency, 99)),
    `${(pct(confirmLatency, 50) / b50).toFixed(1)}× / ${(pct(confirmLatency, 99) / b99).toFixed(1)}×`,
  ],
  [
    `CREDITED → push (ledger round trip), ${creditLatency.length} deposits`,
    ms(pct(creditLatency, 50)),
    ms(pct(creditLatency, 99)),
    `${(pct(creditLatency, 50) / b50).toFixed(1)}× / ${(pct(creditLatency, 99) / b99).toFixed(1)}×`,
  ],
];
process.stdout.write(
  `\n${DEPOSITS} deposits (half ETH, half USDT) to ${USERS} users, ${PER_BLOCK} per block, a block every ${BLOCK_MS} ms, ${CONFIRMATIONS} confirmations, watcher poll ${POLL_MS} ms; ${elapsed.toFixed(1)} s\n`,
);
process.stdout.write(`latency from the block reaching the required confirmations to the graphql-ws push\n`);
process.stdout.write(`| path | p50 | p99 | ratio to baseline (p50 / p99) |\n|---|---|---|---|\n`);
for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
process.stdout.write(
  `\nwhere the CREDITED latency goes (database timestamps; p50 / p99)\n| stage | p50 | p99 |\n|---|---|---|\n`,
);
for (const [name, values] of Object.entries(stages))
  if (values.length) process.stdout.write(`| ${name} | ${ms(pct(values, 50))} | ${ms(pct(values, 99))} |\n`);
process.stdout.write(
  `\nscan from block 0 to ${head} (${scanned} blocks, ${scannedTxs} transactions, batches of ${batchBlocks})\n`,
);
process.stdout.write(`| reader | blocks/s | transactions/s | ratio |\n|---|---|---|---|\n`);
process.stdout.write(
  `| baseline: bare JSON-RPC reads (same batches, no database) | ${(Number(head) / rawSeconds).toFixed(0)} | ${(rawTxs / rawSeconds).toFixed(0)} | 1.0× |\n`,
);
process.stdout.write(
  `| watcher (read, link-check, match, ingest) | ${(scanned / scanSeconds).toFixed(0)} | ${(scannedTxs / scanSeconds).toFixed(0)} | ${(scanned / scanSeconds / (Number(head) / rawSeconds)).toFixed(2)}× |\n`,
);
const missing = DEPOSITS - creditLatency.length;
if (missing > 0) process.stdout.write(`\n!! ${missing} deposits had no CREDITED push within the deadline\n`);

provider.destroy();
await stack.close();
await chain.stop();
process.exit(missing > 0 ? 1 : 0);
