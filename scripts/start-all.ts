import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadConfigOrExit } from '../platform/config/config.js';
import { createLogger } from '../platform/logger.js';
import { warnDevDefaults } from '../platform/service/main.js';
import { subgraphs } from '../subgraphs/registry.js';
import { workers } from '../workers/registry.js';
import { migrateAll } from './migrate.js';
import { prepareEngines } from './start-engines.js';

/**
 * npm start: checks the engines (and runs the dev nats-server, see start-engines.ts), applies migrations,
 * then runs every subgraph, the outbox relay and the gateway as child processes (each its own entrypoint,
 * as in production), prefixes their logs, and prints where to go.
 */
const config = loadConfigOrExit();
const log = createLogger({ name: 'start', level: config.logLevel });
warnDevDefaults(config, log);
const engines = await prepareEngines(config, log);
await migrateAll(config, log);

const children = new Map<string, ChildProcess>();
let stopping = false;
const width = Math.max(...subgraphs.map((s) => s.definition.name.length), ...workers.map((w) => w.name.length), 'gateway'.length);

function run(name: string, entry: string, args: readonly string[] = []): ChildProcess {
  const { PORT: _shared, ...env } = process.env; // each service listens on its own configured port
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function waitHealthy(name: string, url: string, timeoutMs = 90_000): Promise<void> {
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
  throw new Error(`${name} did not become healthy at ${url}`);
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

for (const subgraph of subgraphs) run(subgraph.definition.name, subgraph.entry);
for (const worker of workers) {
  if ((!worker.devOnly || config.env !== 'production') && (worker.enabled?.(config) ?? true)) run(worker.name, worker.entry, worker.args);
}
await Promise.all(subgraphs.map((s) => waitHealthy(s.definition.name, `http://${config.host}:${s.port(config)}/health`)));
run('gateway', 'gateway/main.ts');
await waitHealthy('gateway', `http://${config.host}:${config.gateway.port}/health`);
const base = `http://${config.host}:${config.gateway.port}`;
process.stdout.write(
  `\n  Supergraph ready\n  GraphQL     ${base}/graphql  (HTTP and graphql-ws)\n  Playground  ${base}/playground\n  Health      ${base}/health   Metrics ${base}/metrics\n\n`,
);
