import 'reflect-metadata';
import autocannon from 'autocannon';
import { createClient, type Client } from 'graphql-ws';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { migrateProcess } from '../platform/config/config.js';
import { dropDatabase } from '../platform/db/database.js';
import { createLogger } from '../platform/logger.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { TEST_BOT_TOKEN } from '../testing/test-env.js';
import { migrateAll } from '../scripts/migrate.js';
import { arg, machine, median, percentile, startService, stopAll, waitHealthy } from './harness.js';

/**
 * npm run bench:ws [-- --sockets 20 --rounds 3 --duration 4]
 * The `me` query as operations over graphql-ws sockets (one signed-in viewer per socket, each socket one
 * operation at a time, in a closed loop), with every per-operation check on: the authenticator (token,
 * revocation keys and rate limits in one Redis round trip), the operation cap, the token limit, and the guard.
 * The same query over HTTP with as many connections, in alternating rounds, for comparison. Prints the
 * medians of operations/s, p50 and p99.
 */
const sockets = arg('sockets', 20);
const rounds = arg('rounds', 3);
const duration = arg('duration', 4);
const env = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/custody_bench_ws',
  REDIS_KEY_PREFIX: 'bench-ws:',
  NATS_STREAM: 'BENCH_WS',
  NATS_SUBJECT_PREFIX: 'benchws.',
  GATEWAY_PORT: '4780',
  GATEWAY_ADMIN_PORT: '0', // ephemeral: the bench reads no gateway metrics
  IDENTITY_PORT: '4781',
  WALLET_PORT: '4782',
  MARKET_PORT: '4783',
  LEDGER_PORT: '4784',
  JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
  ACCESS_TOKEN_TTL_SECONDS: '3600',
  TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
};
const QUERY = '{ me { id username level settings { language displayCurrency } } }';
const GATEWAY = `127.0.0.1:${env.GATEWAY_PORT}/graphql`;

const config = migrateProcess.load(env);
const log = createLogger({ name: 'bench', level: 'warn' });
await dropDatabase(config.database.url);
await migrateAll(config, log);
const identity = startService('subgraphs/identity/main.ts', env);
await waitHealthy(`http://127.0.0.1:${env.IDENTITY_PORT}/health`);
const gateway = startService('gateway/main.ts', {
  ...env,
  SUBGRAPH_URLS: `identity=http://127.0.0.1:${env.IDENTITY_PORT}/graphql`,
});
await waitHealthy(`http://127.0.0.1:${env.GATEWAY_PORT}/health`);

interface Sample {
  rate: number;
  p50: number;
  p99: number;
}

async function signIn(): Promise<string> {
  const res = await fetch(`http://${GATEWAY}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }',
      variables: { d: initDataFor(newTelegramUser()) },
    }),
  });
  return ((await res.json()) as { data: { signInWithTelegram: { accessToken: string } } }).data.signInWithTelegram
    .accessToken;
}

function runOne(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    let ok = false;
    client.subscribe(
      { query: QUERY },
      {
        next: (r) => void (ok = !r.errors && !!r.data),
        error: (e) => reject(new Error(`operation refused: ${JSON.stringify(e)}`)),
        complete: () => (ok ? resolve() : reject(new Error('operation answered with errors'))),
      },
    );
  });
}

/** Every socket runs the query back to back for `seconds`: operations/s and latency percentiles. */
async function wsRound(clients: Client[], seconds: number): Promise<Sample> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < until) {
        const started = performance.now();
        await runOne(client);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return { rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function httpRound(token: string, seconds: number): Promise<Sample> {
  const result = await autocannon({
    url: `http://${GATEWAY}`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: QUERY }),
    connections: sockets,
    duration: seconds,
  });
  if (result.non2xx || result.errors) throw new Error(`HTTP: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rate: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const clients: Client[] = [];
try {
  const tokens = await Promise.all(Array.from({ length: sockets }, () => signIn()));
  for (const token of tokens) {
    clients.push(
      createClient({
        url: `ws://${GATEWAY}`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: (e) => console.error(e),
      }),
    );
  }
  await wsRound(clients, 1); // warm-up: JIT, plan cache, pools
  await httpRound(tokens[0]!, 1);
  const ws: Sample[] = [];
  const http: Sample[] = [];
  for (let r = 0; r < rounds; r++) {
    ws.push(await wsRound(clients, duration));
    http.push(await httpRound(tokens[0]!, duration));
  }
  const summary = (samples: Sample[]) => ({
    rate: median(samples.map((s) => s.rate)),
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
  });
  const [overWs, overHttp] = [summary(ws), summary(http)];
  console.log(
    `\nbench:ws — ${QUERY}, ${sockets} sockets / connections, ${rounds} alternating rounds of ${duration} s, ${machine()}\n`,
  );
  console.log('| transport | operations/s | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|');
  console.log(
    `| graphql-ws, per-operation checks on (authenticator + rate limits, caps, token limit, guard) | ${overWs.rate.toFixed(0)} | ${overWs.p50.toFixed(1)} | ${overWs.p99.toFixed(1)} |`,
  );
  console.log(
    `| HTTP POST (autocannon) | ${overHttp.rate.toFixed(0)} | ${overHttp.p50.toFixed(1)} | ${overHttp.p99.toFixed(1)} |`,
  );
  console.log(
    `\nWS/HTTP: operations/s ${(overWs.rate / overHttp.rate).toFixed(2)}×, p50 ${(overWs.p50 / overHttp.p50).toFixed(2)}×`,
  );
} finally {
  for (const c of clients) await c.dispose();
  await stopAll([gateway, identity]);
  await dropDatabase(config.database.url);
}
process.exit(0);
