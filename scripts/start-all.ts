import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  childEnvironment,
  gatewayProcess,
  loadOrExit,
  migrateProcess,
  problemsOfProcesses,
  processEnvironment,
  type ProcessSpec,
  walletProcess,
} from '../platform/config/config.js';
import { fundDevnetHotWallets } from '../devnet/chains/hot-wallets.js';
import { openChainPayouts } from '../subgraphs/wallet/ports.js';
import { createLogger } from '../platform/logger.js';
import { warnDevDefaults } from '../platform/service/main.js';
import { subgraphs } from '../subgraphs/registry.js';
import { workers } from '../workers/registry.js';
import { buildMiniApp, MINI_APP_DIST } from '../clients/mini-app/build.js';
import { migrateAll } from './migrate.js';
import { prepareEngines } from './start-engines.js';

/**
 * npm start: checks the engines (and runs the dev nats-server when NATS_URL is unset, see start-engines.ts),
 * applies migrations, then runs every subgraph, the workers and the gateway as child processes
 * (each its own entrypoint, as in production), prefixes their logs, and prints where to go. Each child gets
 * only its own variables (processes/<name>.ts), so e.g. the gateway never sees WALLET_MASTER_KEYS; every
 * child's configuration is checked before anything starts, and all problems are listed together.
 */
const { PORT: _shared, ...env } = processEnvironment(); // each service listens on its own configured port
// About twenty processes share one PostgreSQL here: at the per-process default of 10 connections they would pass its
// default max_connections (100) and the last to start would wait for a connection that never comes. On one machine
// each child gets 4 unless DATABASE_POOL_MAX is set; deployed services keep their own setting.
env.DATABASE_POOL_MAX ??= '4';
const config = loadOrExit(migrateProcess, env);
const log = createLogger({ name: 'start', level: config.logLevel });

const production = config.env === 'production';
const startedWorkers = workers.filter((w) => !(w.devOnly && production));
const problems = problemsOfProcesses(
  [...subgraphs.map((s) => s.config), ...startedWorkers.map((w) => w.config), gatewayProcess],
  env,
);
if (problems.length) {
  process.stderr.write(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
const gateway = gatewayProcess.load(env);
warnDevDefaults(config, log);
// The engines every child uses (redis from the gateway's view: migrate itself needs none).
const engines = await prepareEngines(
  { env: config.env, database: config.database, redis: gateway.redis, nats: config.nats },
  log,
  env,
);
// The Mini App the gateway serves at /app: built (Vite, a few seconds) only when dist/ is missing or older than its
// sources, while the migrations run.
const miniAppBuild =
  gateway.gateway.miniApp?.dist === MINI_APP_DIST
    ? buildMiniApp({ onlyIfStale: true }).then(
        ({ built, ms }) => built && log.info({ ms }, 'mini app built (clients/mini-app/dist)'),
        (err: unknown) => log.warn({ err }, 'mini app not built: /app answers 503 until `npm run build:mini-app`'),
      )
    : Promise.resolve();
await migrateAll(config, log);

const children = new Map<string, ChildProcess>();
let stopping = false;
const width = Math.max(
  ...subgraphs.map((s) => s.definition.name.length),
  ...workers.map((w) => w.name.length),
  'gateway'.length,
);

function run(name: string, entry: string, spec: ProcessSpec<unknown>, args: readonly string[] = []): ChildProcess {
  // With tracing on, the loader hook goes in before the entry loads, so Node's http module is traced too.
  const tracing = config.telemetry.endpoint ? ['--import', './platform/telemetry/register.ts'] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...tracing, entry, ...args], {
    env: childEnvironment(spec, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `${name.padEnd(width)} |`;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => process.stdout.write(`${prefix} ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      log.error({ service: name, code, signal }, 'a service stopped unexpectedly: stopping everything');
      void stop(1);
    }
  });
  children.set(name, child);
  return child;
}

/** Waits until `url` answers 2xx; past the deadline everything started is stopped (no child outlives npm start). */
async function waitHealthy(name: string, url: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log.error({ service: name, url, timeoutMs }, 'a service did not become ready in time: stopping everything');
  await stop(1);
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const deadline = Date.now() + config.shutdownGraceMs + 2000;
  while (children.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const child of children.values()) child.kill('SIGKILL');
  await engines.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

for (const subgraph of subgraphs) run(subgraph.definition.name, subgraph.entry, subgraph.config);
for (const worker of startedWorkers) {
  if (worker.enabled?.(env) ?? true) run(worker.name, worker.entry, worker.config, worker.args);
}
await Promise.all(subgraphs.map((s) => waitHealthy(s.definition.name, `http://${config.host}:${s.port(env)}/ready`)));
if (!production) {
  // Devnet: fund the hot wallets (derived from the custody root the wallet subgraph has now created or opened).
  const wallet = walletProcess.load(env);
  if (wallet.chains.devnet !== null) {
    // Two connections: opening runs the (already applied) migrations, which hold one while checking the database.
    // A funding failure leaves the hot wallets empty (withdrawals wait for a sweep) but never stops the stack.
    await openChainPayouts({ config: wallet, log, poolMax: 2 }).then(
      (opened) =>
        void fundDevnetHotWallets(wallet.chains, (network) => opened.payouts.get(network)!.hotAddress(), log)
          .catch((err: unknown) => log.warn({ err }, 'devnet hot wallets not funded'))
          .finally(() => void opened.close()),
      (err: unknown) => log.warn({ err }, 'devnet hot wallets not funded: the wallet schema did not open'),
    );
  }
}
await miniAppBuild;
run('gateway', 'gateway/main.ts', gatewayProcess);
const admin = `http://${gateway.gateway.admin.host}:${gateway.gateway.admin.port}`;
await waitHealthy('gateway', `${admin}/ready`);
const base = `http://${config.host}:${gateway.gateway.port}`;
process.stdout.write(
  `\n  Supergraph ready\n  GraphQL     ${base}/graphql  (HTTP and graphql-ws)\n  Playground  ${base}/playground\n${gateway.gateway.miniApp ? `  Mini App    ${base}/app  (open it with initData: see README, Mini App)\n` : ''}  Admin       ${admin}/health   ${admin}/ready   ${admin}/metrics\n\n`,
);
