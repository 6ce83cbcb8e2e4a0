import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { connect } from 'nats';
import { AccessTokens } from '../platform/auth/tokens.js';
import { makeEvent } from '../platform/bus/envelope.js';
import { identityProcess } from '../platform/config/config.js';
import { dropDatabase } from '../platform/db/database.js';
import { newId } from '../platform/ids.js';
import { createLogger } from '../platform/logger.js';
import { createRedis } from '../platform/redis.js';
import { TEST_BOT_TOKEN } from '../testing/test-env.js';
import { parseDecimal } from '../providers/http/scaled-decimal.js';
import { migrateAll } from '../scripts/migrate.js';
import { PriceCache } from '../subgraphs/market/price/price.cache.js';
import { PRICE_UPDATED_SUBJECT, type Coin, type PriceUpdatedPayload } from '../subgraphs/market/price/price.model.js';
import { arg, machine, startService, stopAll, waitHealthy } from './harness.js';

/**
 * npm run bench:subscriptions [-- --clients 10000 --ticks 20 --interval 1000 --burst 20 --client-procs 2]
 *
 * N graphql-ws clients (split over --client-procs child processes) subscribe to `priceUpdated(symbols: [TON, TRX, ETH, BNB], quote: IRT)`
 * through the real gateway (its own child process; the market subgraph in another), and then the same
 * clients against the brief's baseline, a minimal graphql-ws + ws server with one NATS subscription feeding
 * every socket. For each: price ticks are published on core NATS as the feed worker does (cache written, then
 * `market.price.updated`), one coin per tick;
 *   - steady: `--ticks` ticks every `--interval` ms: latency publish → receipt over every (client, tick), p50/p99;
 *     server CPU per delivered message;
 *   - burst: `--burst` ticks, each published as soon as the previous one reached every client: ticks/s and
 *     messages/s delivered;
 *   - memory, after a GC: (server RSS with every socket subscribed − RSS before any) / sockets, and the JS heap
 *     of the second half of the sockets (connected after the first half and its warm-up ticks) per socket.
 */
const clients = arg('clients', 10_000);
const steadyTicks = arg('ticks', 20);
const intervalMs = arg('interval', 1000);
const burstTicks = arg('burst', 20);
const clientProcs = arg('client-procs', 2);

const env: Record<string, string> = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/custody_bench_subscriptions',
  REDIS_KEY_PREFIX: 'bench-sub:',
  NATS_STREAM: 'BENCH_SUBSCRIPTIONS',
  NATS_SUBJECT_PREFIX: 'benchsub.',
  GATEWAY_PORT: '4760',
  GATEWAY_ADMIN_PORT: '4765',
  IDENTITY_PORT: '4761',
  WALLET_PORT: '4762',
  MARKET_PORT: '4763',
  LEDGER_PORT: '4764',
  JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
  ACCESS_TOKEN_TTL_SECONDS: '7200',
  TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
  PRICE_MAX_AGE_SECONDS: '3600',
  SUBGRAPH_URLS: 'market=http://127.0.0.1:4763/graphql',
};
const BASELINE_PORT = '4770';
const QUERY =
  'subscription($s: [String!], $q: Quote) { priceUpdated(symbols: $s, quote: $q) { symbol quote value change24h updatedAt } }';
const VARIABLES = { s: ['TON', 'TRX', 'ETH', 'BNB'], q: 'IRT' };
const COINS: Coin[] = ['TON', 'TRX', 'ETH', 'BNB'];

const config = identityProcess.load(env);
const log = createLogger({ name: 'bench', level: 'warn' });
await dropDatabase(config.database.url);
await migrateAll(config, log);
const redis = createRedis(config.redis.url, log);
const cache = new PriceCache(redis, {
  keyPrefix: config.redis.keyPrefix,
  ttlSeconds: 3600,
  problemTtlSeconds: 5,
  lockTtlMs: 30_000,
});
const nc = await connect({ servers: config.nats.url });
const now = () => performance.timeOrigin + performance.now();

const children: ChildProcess[] = [];
const market = startService('subgraphs/market/main.ts', env);
children.push(market);
await waitHealthy(`http://127.0.0.1:${env.MARKET_PORT}/health`);

/** A child with IPC: the messages it sends, awaited by event name. */
function child(entry: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []) {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', '--max-old-space-size=4096', ...nodeArgs, entry],
    {
      env: { ...process.env, ...env, ...extraEnv },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    },
  );
  children.push(proc);
  const waiting = new Map<string, ((m: Record<string, unknown>) => void)[]>();
  const listeners = new Map<string, (m: Record<string, unknown>) => void>();
  proc.on('message', (m: Record<string, unknown>) => {
    const event = m.event as string;
    listeners.get(event)?.(m);
    const queue = waiting.get(event);
    queue?.shift()?.(m);
  });
  return {
    proc,
    send: (m: unknown) => proc.send(m as never),
    once: (event: string, timeoutMs = 120_000) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${entry}: no ${event} within ${timeoutMs} ms`)), timeoutMs);
        const list = waiting.get(event) ?? [];
        list.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
        waiting.set(event, list);
      }),
    on: (event: string, fn: (m: Record<string, unknown>) => void) => listeners.set(event, fn),
  };
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

let seq = 0;
async function publishTick(): Promise<{ seq: number; at: number }> {
  const n = ++seq;
  const coin = COINS[n % COINS.length]!;
  const value = `${n}.25`;
  const updatedAt = new Date();
  // as the price feed does: the cache first (follow-ups read it), then the event
  await cache.write(
    [
      {
        coin,
        quote: 'IRT',
        value: parseDecimal(value),
        change24hPercent: parseDecimal('0.5'),
        sources: ['bench'],
        updatedAt,
        computedAt: updatedAt,
      },
    ],
    [],
  );
  const payload: PriceUpdatedPayload = {
    coin,
    quote: 'IRT',
    value,
    change24h: '0.5',
    sourceCount: 1,
    updatedAt: updatedAt.toISOString(),
  };
  const data = JSON.stringify(makeEvent(PRICE_UPDATED_SUBJECT, 'market', payload));
  const at = now();
  nc.publish(config.nats.subjectPrefix + PRICE_UPDATED_SUBJECT, data);
  return { seq: n, at };
}

interface Outcome {
  name: string;
  connected: number;
  connectMs: number;
  p50: number;
  p99: number;
  max: number;
  steadyDelivered: number;
  steadyExpected: number;
  ticksPerSecond: number;
  messagesPerSecond: number;
  rssPerSocketKb: number;
  heapPerSocketKb: number;
  rssMb: number;
  cpuMicrosPerMessage: number;
  deliveryMs: number;
  clientCpuMicrosPerMessage: number;
  clientErrors: number;
}

const debug = (step: string) => {
  if (process.env.BENCH_DEBUG) process.stdout.write(`  … ${step}\n`);
};
const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Mean time the gateway took to write one fan-out result to every member socket (its own histogram). */
async function deliverySeconds(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const sum = Number(/^live_fanout_delivery_seconds_sum\{[^}]*\} ([\d.e+-]+)/m.exec(text)?.[1] ?? NaN);
  const count = Number(/^live_fanout_delivery_seconds_count\{[^}]*\} ([\d.e+-]+)/m.exec(text)?.[1] ?? NaN);
  return sum / count;
}

async function scenario(
  name: string,
  server: ReturnType<typeof child>,
  url: string,
  tokens: string[] | null,
  metricsUrl: string | null,
): Promise<Outcome> {
  const memory = async () => {
    server.send({ cmd: 'memory' });
    const m = await server.once('memory');
    return { rss: m.rss as number, heap: m.heap as number };
  };
  const rssBefore = await memory();
  // the clients, split over --client-procs processes (each of them reads its sockets one message at a time)
  const procs = Array.from({ length: clientProcs }, () => child('bench/subscriptions/ws-clients.ts'));
  await Promise.all(procs.map((p) => p.once('ready')));
  /** Per tick: how many client processes have every one of their sockets' copy, and who waits for all. */
  const delivered = new Map<number, { count: number; resolve?: (at: number) => void }>();
  let closedByServer = 0;
  for (const p of procs) {
    p.on('delivered', (m) => {
      const entry = delivered.get(m.seq as number) ?? { count: 0 };
      entry.count += 1;
      delivered.set(m.seq as number, entry);
      if (entry.count === procs.length) entry.resolve?.(m.at as number);
    });
    p.on('closed', () => (closedByServer += 1));
  }
  const deliveredAt = (n: number, timeoutMs: number) =>
    new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      const entry = delivered.get(n) ?? { count: 0 };
      entry.resolve = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
      delivered.set(n, entry);
    });

  // connect in two halves, each followed by warm-up ticks, so the heap of the second half (per socket)
  // excludes what does not grow with sockets (JIT code, caches)
  const connectRange = async (from: number, to: number) => {
    const share = Math.ceil((to - from) / procs.length);
    const done = await Promise.all(
      procs.map((p, i) => {
        p.send({
          cmd: 'connect',
          url,
          from: from + i * share,
          to: Math.min(to, from + (i + 1) * share),
          query: QUERY,
          variables: VARIABLES,
          tokens,
          concurrency: Math.ceil(200 / procs.length),
        });
        return p.once('connected', 600_000);
      }),
    );
    // warm-up: until one tick reaches every socket (subscriptions in place, JIT and caches warm)
    let warm = false;
    for (let i = 0; i < 30 && !warm; i++) {
      const tick = await publishTick();
      warm = (await deliveredAt(tick.seq, 3_000)) !== null;
      debug(`warm-up tick ${tick.seq}: ${warm ? 'delivered' : 'not everywhere'}`);
    }
    if (!warm) throw new Error(`${name}: ticks never reached every socket`);
    for (let i = 0; i < 3; i++) {
      const tick = await publishTick();
      await deliveredAt(tick.seq, 10_000);
    }
    return {
      connected: done.reduce((n, d) => n + (d.connected as number), 0),
      failed: done.reduce((n, d) => n + (d.failed as number), 0),
      ms: Math.max(...done.map((d) => d.ms as number)),
    };
  };
  const half = Math.floor(clients / 2);
  const firstHalf = await connectRange(0, half);
  const rssHalf = await memory();
  const second = await connectRange(half, clients);
  const rssSubscribed = await memory();
  const connected = {
    connected: second.connected,
    failed: firstHalf.failed + second.failed,
    ms: firstHalf.ms + second.ms,
  };
  process.stdout.write(
    `  ${name}: ${connected.connected} sockets in ${Math.round(connected.ms)} ms (${connected.failed} failed), ${procs.length} client process(es)\n`,
  );
  debug('steady');

  // steady ticks
  const published = new Map<number, number>();
  const clientCpu = () => procs.reduce((n, p) => n + cpuSeconds(p.proc.pid!), 0);
  const cpuStart = cpuSeconds(server.proc.pid!);
  const clientCpuStart = clientCpu();
  let last: Promise<number | null> = Promise.resolve(null);
  for (let i = 0; i < steadyTicks; i++) {
    const started = now();
    const tick = await publishTick();
    published.set(tick.seq, tick.at);
    last = deliveredAt(tick.seq, 15_000);
    await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (now() - started))));
  }
  await last;
  await new Promise((r) => setTimeout(r, 500));
  const cpuSteady = cpuSeconds(server.proc.pid!) - cpuStart;
  const clientCpuSteady = clientCpu() - clientCpuStart;
  const delivery = metricsUrl ? await deliverySeconds(metricsUrl) : null;
  const first = Math.min(...published.keys());
  const lastSeq = Math.max(...published.keys());
  debug('report');
  const reports = await Promise.all(
    procs.map((p) => {
      p.send({ cmd: 'report', from: first, to: lastSeq });
      return p.once('report');
    }),
  );
  debug('burst');
  const latencies: number[] = [];
  for (const report of reports) {
    const receipts = report.receipts as Record<number, Float64Array>;
    for (const [s, at] of published) for (const t of receipts[s] ?? []) latencies.push(t - at);
  }
  const sorted = Float64Array.from(latencies).sort();

  // burst: each tick as soon as the previous one reached every socket
  const burstStart = now();
  let burstDone = 0;
  for (let i = 0; i < burstTicks; i++) {
    const tick = await publishTick();
    if ((await deliveredAt(tick.seq, 15_000)) === null) break;
    burstDone += 1;
  }
  const burstSeconds = (now() - burstStart) / 1000;
  const rssAfter = await memory();
  for (const p of procs) p.send({ cmd: 'close' });
  await Promise.all(procs.map((p) => new Promise((r) => p.proc.once('exit', r))));
  const socketCount = connected.connected;
  return {
    name,
    connected: socketCount,
    connectMs: connected.ms,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    steadyDelivered: latencies.length,
    steadyExpected: socketCount * steadyTicks,
    ticksPerSecond: burstDone / burstSeconds,
    messagesPerSecond: (burstDone * socketCount) / burstSeconds,
    rssPerSocketKb: (rssSubscribed.rss - rssBefore.rss) / socketCount / 1024,
    heapPerSocketKb: (rssSubscribed.heap - rssHalf.heap) / (socketCount - half) / 1024,
    rssMb: rssAfter.rss / 2 ** 20,
    cpuMicrosPerMessage: (cpuSteady * 1e6) / Math.max(1, latencies.length),
    deliveryMs: delivery === null ? NaN : delivery * 1000,
    clientCpuMicrosPerMessage: (clientCpuSteady * 1e6) / Math.max(1, latencies.length),
    clientErrors: reports.reduce((n, r) => n + (r.errors as number), 0) + closedByServer,
  };
}

const results: Outcome[] = [];
try {
  process.stdout.write(
    `bench:subscriptions: ${clients} clients, ${steadyTicks} ticks every ${intervalMs} ms, burst of ${burstTicks}\n${machine()}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  const access = new AccessTokens(config.auth.jwtSecret, 7200);
  const tokens = await Promise.all(
    Array.from(
      { length: clients },
      async () =>
        (await access.issue({ userId: newId('usr'), roles: ['USER'], claims: [], sessionId: newId('ses') })).token,
    ),
  );

  // BENCH_PROFILE=dir writes a CPU profile of the gateway
  const gateway = child(
    'bench/subscriptions/gateway-server.ts',
    {},
    process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  );
  await gateway.once('listening');
  results.push(
    await scenario(
      'gateway (fan-out)',
      gateway,
      `ws://127.0.0.1:${env.GATEWAY_PORT}/graphql`,
      tokens,
      `http://127.0.0.1:${env.GATEWAY_ADMIN_PORT}/metrics`,
    ),
  );
  await stopAll([gateway.proc]);

  const baseline = child('bench/subscriptions/baseline-server.ts', { BASELINE_PORT });
  await baseline.once('listening');
  results.push(
    await scenario(
      'baseline (graphql-ws + ws, one NATS sub)',
      baseline,
      `ws://127.0.0.1:${BASELINE_PORT}/graphql`,
      null,
      null,
    ),
  );
  await stopAll([baseline.proc]);
} finally {
  await stopAll(children);
  await nc.close();
  redis.disconnect();
}

const [ours, base] = results as [Outcome, Outcome];
const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const ratio = (a: number, b: number) => fmt(a / b, 2);
const rows: [string, (o: Outcome) => string, string][] = [
  ['sockets subscribed', (o) => String(o.connected), '-'],
  ['latency p50 publish → receipt (ms)', (o) => fmt(o.p50), ratio(ours.p50, base.p50)],
  ['latency p99 (ms)', (o) => fmt(o.p99), ratio(ours.p99, base.p99)],
  ['latency max (ms)', (o) => fmt(o.max), ratio(ours.max, base.max)],
  ['steady messages received / expected', (o) => `${o.steadyDelivered} / ${o.steadyExpected}`, '-'],
  [
    'burst: ticks/s delivered to every socket',
    (o) => fmt(o.ticksPerSecond, 2),
    ratio(ours.ticksPerSecond, base.ticksPerSecond),
  ],
  [
    'burst: messages/s delivered',
    (o) => fmt(o.messagesPerSecond, 0),
    ratio(ours.messagesPerSecond, base.messagesPerSecond),
  ],
  [
    'server RSS per socket: (RSS subscribed − RSS before any) / sockets (KB)',
    (o) => fmt(o.rssPerSocketKb, 2),
    ratio(ours.rssPerSocketKb, base.rssPerSocketKb),
  ],
  [
    'server JS heap per socket: 2nd half of the sockets, after a GC (KB)',
    (o) => fmt(o.heapPerSocketKb, 2),
    ratio(ours.heapPerSocketKb, base.heapPerSocketKb),
  ],
  ['server RSS after the ticks (MB)', (o) => fmt(o.rssMb, 0), ratio(ours.rssMb, base.rssMb)],
  ['server: mean time to write one tick to every socket (ms)', (o) => fmt(o.deliveryMs), '-'],
  [
    'server CPU per delivered message (µs)',
    (o) => fmt(o.cpuMicrosPerMessage, 1),
    ratio(ours.cpuMicrosPerMessage, base.cpuMicrosPerMessage),
  ],
  [
    'client process CPU per received message (µs; same client for both)',
    (o) => fmt(o.clientCpuMicrosPerMessage, 1),
    '-',
  ],
  ['client-side errors / server closes', (o) => String(o.clientErrors), '-'],
];
let table = `load average at the end ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}\n\n| | ${ours.name} | ${base.name} | gateway / baseline |\n|---|---|---|---|\n`;
for (const [label, value, r] of rows) table += `| ${label} | ${value(ours)} | ${value(base)} | ${r} |\n`;
process.stdout.write(table, () => process.exit(0));
