import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { InternalTokenSigner, INTERNAL_CONTEXT_HEADER } from '../platform/auth/tokens.js';
import { gatewayProcess, migrateProcess } from '../platform/config/config.js';
import { dropDatabase } from '../platform/db/database.js';
import { createLogger } from '../platform/logger.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { TEST_BOT_TOKEN } from '../testing/test-env.js';
import { migrateAll } from '../scripts/migrate.js';
import { arg, machine, median, startService, stopAll, waitHealthy } from './harness.js';

/**
 * npm run bench:gateway [-- --rounds 5 --duration 4 --connections 20] [-- --before <dir>]
 * `me` through the gateway vs. straight at the identity subgraph (with a valid internal token), in one run:
 * the targets alternate in short rounds so a change in background load hits them alike; prints the
 * medians of req/s, p50 and p99 and the gateway/direct ratios. `--before <dir>` also runs the gateway of
 * another checkout of this repository (e.g. `git archive <commit> | tar -x -C <dir>`, node_modules linked)
 * against the same identity subgraph, so a change's cost is measured before/after in the same run.
 * Tracing's cost: a second gateway + identity pair runs with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT = a throwaway
 * OTLP/HTTP sink in this process, the loader hook imported first as `npm start` does), measured in the same rounds;
 * `--no-tracing` leaves it out.
 */
const beforeIndex = process.argv.indexOf('--before');
const beforeDir = beforeIndex >= 0 ? process.argv[beforeIndex + 1] : undefined;
const rounds = arg('rounds', 5);
const duration = arg('duration', 4);
const connections = arg('connections', 20);
const env = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/custody_bench_gateway',
  REDIS_KEY_PREFIX: 'bench-gw:',
  NATS_STREAM: 'BENCH_GATEWAY',
  NATS_SUBJECT_PREFIX: 'benchgw.',
  GATEWAY_PORT: '4600',
  GATEWAY_ADMIN_PORT: '0', // ephemeral: the bench reads no gateway metrics
  IDENTITY_PORT: '4601',
  WALLET_PORT: '4602',
  MARKET_PORT: '4603',
  LEDGER_PORT: '4604',
  JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
  TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
};
const config = migrateProcess.load(env);
// The gateway's key (the dev pair here): the direct target gets what the gateway would send identity.
const { internalTokens } = gatewayProcess.load(env);
const log = createLogger({ name: 'bench', level: 'warn' });
await dropDatabase(config.database.url);
await migrateAll(config, log);

const identity = startService('subgraphs/identity/main.ts', env);
await waitHealthy('http://127.0.0.1:4601/health');
const gateway = startService('gateway/main.ts', { ...env, SUBGRAPH_URLS: 'identity=http://127.0.0.1:4601/graphql' });
await waitHealthy('http://127.0.0.1:4600/health');
// Tracing on: every span exported over OTLP/HTTP (batched) to a sink that reads and drops them.
const withTracing = !process.argv.includes('--no-tracing');
let exportedBytes = 0;
const sink = createServer((req, res) => {
  req.on('data', (chunk: Buffer) => (exportedBytes += chunk.length));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const tracedEnv = {
  ...env,
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
  IDENTITY_PORT: '4607',
  GATEWAY_PORT: '4606',
};
const traced: ChildProcess[] = [];
if (withTracing) {
  const bootstrap = ['./platform/telemetry/register.ts'];
  traced.push(startService('subgraphs/identity/main.ts', tracedEnv, bootstrap));
  await waitHealthy('http://127.0.0.1:4607/health');
  traced.push(
    startService(
      'gateway/main.ts',
      { ...tracedEnv, SUBGRAPH_URLS: 'identity=http://127.0.0.1:4607/graphql' },
      bootstrap,
    ),
  );
  await waitHealthy('http://127.0.0.1:4606/health');
}
let before: ChildProcess | null = null;
if (beforeDir) {
  before = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
    cwd: beforeDir,
    env: { ...process.env, ...env, GATEWAY_PORT: '4605', SUBGRAPH_URLS: 'identity=http://127.0.0.1:4601/graphql' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitHealthy('http://127.0.0.1:4605/health');
}

try {
  const signIn = await fetch('http://127.0.0.1:4600/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }',
      variables: { d: initDataFor(newTelegramUser()) },
    }),
  });
  const { data } = (await signIn.json()) as {
    data: { signInWithTelegram: { accessToken: string; user: { id: string } } };
  };
  const { accessToken, user } = data.signInWithTelegram;
  const body = JSON.stringify({ query: '{ me { id username level settings { language displayCurrency } } }' });

  // Internal tokens live at most 30 s: each run gets a fresh one (a new signer, so no half-spent cached token).
  const internal = () =>
    new InternalTokenSigner(internalTokens.privateKey, internalTokens.ttlSeconds).sign(
      { userId: user.id, roles: ['USER'], claims: [], sessionId: null },
      'identity',
    );
  const once = async (url: string, headers: Record<string, string>, seconds: number) => {
    if (seconds >= internalTokens.ttlSeconds)
      throw new Error(`--duration must be below the internal token lifetime (${internalTokens.ttlSeconds} s)`);
    const fresh = INTERNAL_CONTEXT_HEADER in headers ? { [INTERNAL_CONTEXT_HEADER]: await internal() } : {};
    const result = await autocannon({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers, ...fresh },
      body,
      connections,
      duration: seconds,
    });
    if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
  };
  const targets: { name: string; url: string; headers: Record<string, string> }[] = [
    {
      name: 'identity subgraph (direct)',
      url: 'http://127.0.0.1:4601/graphql',
      headers: { [INTERNAL_CONTEXT_HEADER]: '' },
    },
    {
      name: 'through the gateway',
      url: 'http://127.0.0.1:4600/graphql',
      headers: { authorization: `Bearer ${accessToken}` },
    },
  ];
  if (withTracing)
    targets.push({
      name: 'through the gateway, tracing on',
      url: 'http://127.0.0.1:4606/graphql',
      headers: { authorization: `Bearer ${accessToken}` },
    });
  if (before)
    targets.push({
      name: `through the gateway of ${beforeDir}`,
      url: 'http://127.0.0.1:4605/graphql',
      headers: { authorization: `Bearer ${accessToken}` },
    });
  // Every target must really answer the query: autocannon counts a 200 carrying GraphQL errors as a success (a
  // gateway of another checkout whose internal token the identity subgraph refuses would look fast).
  for (const t of targets) {
    const fresh: Record<string, string> =
      INTERNAL_CONTEXT_HEADER in t.headers ? { [INTERNAL_CONTEXT_HEADER]: await internal() } : {};
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t.headers, ...fresh },
      body,
    });
    const answer = (await res.json()) as { data?: { me?: { id?: string } }; errors?: unknown[] };
    if (answer.data?.me?.id !== user.id)
      throw new Error(`${t.name} does not answer the query: ${JSON.stringify(answer)}`);
  }
  for (const t of targets) await once(t.url, t.headers, 2); // warm-up: JIT, plan cache, pools
  const samples = targets.map(() => [] as { rps: number; p50: number; p99: number }[]);
  for (let r = 0; r < rounds; r++)
    for (const [i, t] of targets.entries()) samples[i]!.push(await once(t.url, t.headers, duration));
  type Row = { name: string; rps: number; p50: number; p99: number };
  const rows: Row[] = targets.map((t, i) => ({
    name: t.name,
    rps: median(samples[i]!.map((x) => x.rps)),
    p50: median(samples[i]!.map((x) => x.p50)),
    p99: median(samples[i]!.map((x) => x.p99)),
  }));
  const direct = rows[0]!;
  const ratios = (r: Row) => ({ rps: r.rps / direct.rps, p50: r.p50 / direct.p50, p99: r.p99 / direct.p99 });

  console.log(
    `\nbench:gateway — query { me { … } }, ${connections} connections, ${rounds} alternating rounds of ${duration} s, ${machine()}\n`,
  );
  console.log('| target | req/s | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} |`);
  for (const r of rows.slice(1)) {
    const x = ratios(r);
    console.log(
      `\n${r.name} / direct: throughput ${x.rps.toFixed(2)}×, p50 latency ${x.p50.toFixed(2)}×, p99 latency ${x.p99.toFixed(2)}× (aim: latency < 2×)`,
    );
  }
  const tracedRow = rows.find((r) => r.name === 'through the gateway, tracing on');
  if (tracedRow) {
    const off = rows[1]!;
    console.log(
      `\ntracing on / off (gateway + identity, same rounds): throughput ${(tracedRow.rps / off.rps).toFixed(2)}×, p50 ${(tracedRow.p50 / off.p50).toFixed(2)}×, p99 ${(tracedRow.p99 / off.p99).toFixed(2)}×; ${(exportedBytes / 1e6).toFixed(1)} MB of spans exported`,
    );
  }
  const beforeRow = rows.find((r) => r.name.startsWith('through the gateway of '));
  if (beforeRow) {
    const [after, prior] = [ratios(rows[1]!), ratios(beforeRow)];
    console.log(
      `\nafter vs. before (ratios to direct): p50 ${(after.p50 / prior.p50).toFixed(2)}×, p99 ${(after.p99 / prior.p99).toFixed(2)}×, throughput ${(after.rps / prior.rps).toFixed(2)}× (budget: latency ratios at most 1.10×)`,
    );
  }
} finally {
  await stopAll([...(before ? [before] : []), ...traced.reverse(), gateway, identity]);
  sink.close();
  await dropDatabase(config.database.url);
}
process.exit(0);
