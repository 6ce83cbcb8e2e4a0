import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import autocannon from 'autocannon';
import { migrateProcess } from '../platform/config/config.js';
import { dropDatabase } from '../platform/db/database.js';
import { createLogger } from '../platform/logger.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { TEST_BOT_TOKEN } from '../testing/test-env.js';
import { migrateAll } from '../scripts/migrate.js';
import {
  createMasterKeyring,
  deriveAddress,
  generateMnemonic,
  mnemonicToSeed,
  phraseToSeed,
  sealSecret,
  openSecret,
} from '../subgraphs/wallet/custody/index.js';
import { NETWORKS } from '../chains/network.js';
import { arg, machine, median, percentile, startService, stopAll, waitHealthy } from './harness.js';

/**
 * npm run bench:wallet [-- --seconds 2 --rounds 3 --duration 4 --connections 20 --users 200]
 * 1. In process: addresses derived per second per network (seed in memory), next to the bare elliptic-curve
 *    public-key operation of that curve as the baseline, and the cost of opening the sealed root (AES-GCM
 *    unwrap + decrypt + PBKDF2 seed) that every new wallet pays.
 * 2. Through the gateway: depositAddress on an existing wallet vs the trivial `me { id }` (autocannon,
 *    alternating rounds, medians), and the first ask (the wallet is derived and written) with our own
 *    concurrent client over fresh users; p50/p99 and ratios to the baseline.
 */
const seconds = arg('seconds', 2);
const rounds = arg('rounds', 3);
const duration = arg('duration', 4);
const connections = arg('connections', 20);
const users = arg('users', 200);

interface Rate {
  name: string;
  perSecond: number;
}

function rate(name: string, fn: (i: number) => unknown): Rate {
  for (let i = 0; i < 50; i++) fn(i); // warm-up
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) fn(++n);
  return { name, perSecond: (n * 1000) / (performance.now() - start) };
}

async function asyncRate(name: string, fn: () => Promise<unknown>): Promise<Rate> {
  for (let i = 0; i < 10; i++) await fn();
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    await fn();
    n++;
  }
  return { name, perSecond: (n * 1000) / (performance.now() - start) };
}

// ---------------------------------------------------------------- 1. derivation in process
const phrase = generateMnemonic();
const seed = await mnemonicToSeed(phrase);
const secpKey = secp256k1.utils.randomSecretKey();
const edKey = ed25519.utils.randomSecretKey();
const baselines: Record<'secp256k1' | 'ed25519', Rate> = {
  secp256k1: rate('secp256k1 public key (baseline)', () => secp256k1.getPublicKey(secpKey, true)),
  ed25519: rate('ed25519 public key (baseline)', () => ed25519.getPublicKey(edKey)),
};
const derivations = NETWORKS.map((network) => ({
  network,
  ...rate(`derive ${network}`, (i) => deriveAddress(seed, network, 1 + (i % 1_000_000))),
}));
const ring = createMasterKeyring([{ id: 'bench', key: randomBytes(32) }]);
const sealed = sealSecret(new TextEncoder().encode(phrase), ring, 'wallet.hd_root:bench');
const openRoot = await asyncRate('open root → seed', async () => {
  const opened = openSecret(sealed, ring, 'wallet.hd_root:bench');
  const s = await phraseToSeed(opened);
  opened.fill(0);
  s.fill(0);
});
seed.fill(0);

// ---------------------------------------------------------------- 2. through the gateway
const env = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/custody_bench_wallet',
  REDIS_KEY_PREFIX: 'bench-wallet:',
  NATS_STREAM: 'BENCH_WALLET',
  NATS_SUBJECT_PREFIX: 'benchwallet.',
  GATEWAY_PORT: '4610',
  GATEWAY_ADMIN_PORT: '0', // ephemeral: the bench reads no gateway metrics
  IDENTITY_PORT: '4611',
  WALLET_PORT: '4612',
  MARKET_PORT: '4613',
  LEDGER_PORT: '4614',
  JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
  TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
  WALLET_MASTER_KEYS: `bench:${randomBytes(32).toString('base64')}`,
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
};
const config = migrateProcess.load(env);
const log = createLogger({ name: 'bench', level: 'warn' });
await dropDatabase(config.database.url);
await migrateAll(config, log);
const identity = startService('subgraphs/identity/main.ts', env);
const wallet = startService('subgraphs/wallet/main.ts', env);
await Promise.all([waitHealthy('http://127.0.0.1:4611/health'), waitHealthy('http://127.0.0.1:4612/health')]);
const gateway = startService('gateway/main.ts', {
  ...env,
  SUBGRAPH_URLS: 'identity=http://127.0.0.1:4611/graphql,wallet=http://127.0.0.1:4612/graphql',
});
await waitHealthy('http://127.0.0.1:4610/health');
const GRAPHQL = 'http://127.0.0.1:4610/graphql';

async function post(
  query: string,
  token: string | null,
  variables: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await fetch(GRAPHQL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function signIn(): Promise<string> {
  const data = await post('mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }', null, {
    d: initDataFor(newTelegramUser()),
  });
  return data.signInWithTelegram.accessToken as string;
}

interface Latency {
  name: string;
  rps: number;
  p50: number;
  p99: number;
}

try {
  const token = await signIn();
  const DEPOSIT = '{ me { depositAddress(network: ETH) { id address } } }';
  await post(DEPOSIT, token); // the wallet exists from here on
  const targets = [
    { name: 'baseline: `me { id }`', body: JSON.stringify({ query: '{ me { id } }' }) },
    { name: 'depositAddress, existing wallet', body: JSON.stringify({ query: DEPOSIT }) },
  ];
  const once = async (body: string, secs: number) => {
    const r = await autocannon({
      url: GRAPHQL,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      connections,
      duration: secs,
    });
    if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`);
    return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
  };
  for (const t of targets) await once(t.body, 2);
  const samples = targets.map(() => [] as { rps: number; p50: number; p99: number }[]);
  for (let r = 0; r < rounds; r++)
    for (const [i, t] of targets.entries()) samples[i]!.push(await once(t.body, duration));
  const [baseline, existing] = targets.map((t, i) => ({
    name: t.name,
    rps: median(samples[i]!.map((x) => x.rps)),
    p50: median(samples[i]!.map((x) => x.p50)),
    p99: median(samples[i]!.map((x) => x.p99)),
  })) as [Latency, Latency];

  // first ask: each fresh user asks once, `connections` at a time; every request derives and writes a wallet
  const tokens: string[] = [];
  for (let i = 0; i < users; i += 20)
    tokens.push(...(await Promise.all(Array.from({ length: Math.min(20, users - i) }, () => signIn()))));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < tokens.length) {
        const t = tokens[next++]!;
        const t0 = performance.now();
        await post(DEPOSIT, t);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const firstAsk: Latency = {
    name: 'depositAddress, first ask (derive + insert)',
    rps: (latencies.length * 1000) / (performance.now() - started),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };

  console.log(
    `\nbench:wallet — ${machine()}, load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1/5/15 min)\n`,
  );
  console.log(`In process (${seconds} s per row):\n`);
  console.log('| operation | per second | vs. baseline |');
  console.log('|---|---:|---:|');
  for (const b of Object.values(baselines)) console.log(`| ${b.name} | ${b.perSecond.toFixed(0)} | 1.00× |`);
  for (const d of derivations) {
    const base = d.network === 'TON' ? baselines.ed25519 : baselines.secp256k1;
    console.log(
      `| derive ${d.network} address (${d.network === 'TON' ? 'SLIP-0010 + v4R2 state init' : 'BIP32 5 levels + encode'}) | ${d.perSecond.toFixed(0)} | ${(d.perSecond / base.perSecond).toFixed(3)}× of ${base.name.split(' ')[0]} |`,
    );
  }
  console.log(`| open sealed root → seed (AES-GCM ×2 + PBKDF2-SHA512 2048) | ${openRoot.perSecond.toFixed(0)} | — |`);
  console.log(
    `\nThrough the gateway (${connections} connections; autocannon rows: median of ${rounds} alternating rounds of ${duration} s; first ask: ${latencies.length} fresh users):\n`,
  );
  console.log('| query | req/s | p50 ms | p99 ms | p99 vs. baseline |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of [baseline, existing, firstAsk])
    console.log(
      `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.p99 / baseline.p99).toFixed(2)}× |`,
    );
} finally {
  await stopAll([gateway, wallet, identity]);
  await dropDatabase(config.database.url);
}
process.exit(0);
