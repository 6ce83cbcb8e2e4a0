import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../devnet/nats/nats-server.js';
import { probeTcp } from '../platform/service/engines.js';

/**
 * `npm start` (and a single service's entrypoint) with an engine that is not running: one readable block
 * naming the engine, its address and its variable, how to start it, exit code 1, and no stack trace.
 */
const REAL = {
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  NATS_URL: process.env.NATS_URL!,
};

async function run(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; output: string }> {
  // Every port elsewhere than the defaults other processes on this machine use; no docker on PATH.
  const ports = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      GATEWAY_PORT: String(ports[0]),
      IDENTITY_PORT: String(ports[1]),
      WALLET_PORT: String(ports[2]),
      MARKET_PORT: String(ports[3]),
      LEDGER_PORT: String(ports[4]),
      OUTBOX_RELAY_PORT: String(ports[5]),
      KYC_PORT: String(ports[6]),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

function expectReadable(output: string) {
  expect(output).not.toMatch(/^\s+at /m); // no stack frame
  expect(output).not.toMatch(/ECONNREFUSED|Error:/);
  expect(output).toContain('Cannot start');
  expect(output).toMatch(/apt-get install -y|docker compose/);
}

describe('npm start with an engine that is not running', () => {
  it.each([
    [
      'PostgreSQL',
      'DATABASE_URL',
      (port: number) => `postgres://postgres@127.0.0.1:${port}/custody_dev`,
      'pg_ctlcluster',
    ],
    ['Redis', 'REDIS_URL', (port: number) => `redis://127.0.0.1:${port}`, 'redis-server'],
    ['NATS', 'NATS_URL', (port: number) => `nats://127.0.0.1:${port}`, 'nats-server'],
  ] as const)(
    '%s down: names it, its address and %s, says how to start it, exits 1',
    async (engine, variable, urlAt, command) => {
      const closed = await freePort();
      const { code, output } = await run('scripts/start-all.ts', { ...REAL, [variable]: urlAt(closed) });
      expect(code, output).toBe(1);
      expectReadable(output);
      expect(output).toMatch(
        new RegExp(`${engine}\\s+127\\.0\\.0\\.1:${closed}\\s+\\(connection refused; set by ${variable}\\)`),
      );
      expect(output).toContain(command);
      // Only the engine that is down is named.
      for (const other of ['PostgreSQL ', 'Redis ', 'NATS '])
        if (!other.startsWith(engine)) expect(output).not.toMatch(new RegExp(`^\\s+${other}\\s+127`, 'm'));
    },
  );

  it('starts its own authorized nats-server when NATS_URL is not set, and stops it when it cannot go on', async () => {
    const natsPort = await freePort();
    const closed = await freePort();
    const { NATS_URL: _unset, ...env } = REAL;
    const { code, output } = await run('scripts/start-all.ts', {
      ...env,
      LOG_LEVEL: 'info',
      NATS_DEV_PORT: String(natsPort),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/custody_dev`,
    });
    expect(code, output).toBe(1);
    expectReadable(output);
    expect(output).toContain(`nats://127.0.0.1:${natsPort}`); // logged when it started
    expect(output).toMatch(new RegExp(`PostgreSQL\\s+127\\.0\\.0\\.1:${closed}`));
    expect(output).not.toMatch(/^\s+NATS\s+127/m);
    expect(await probeTcp('127.0.0.1', natsPort, 500)).not.toBeNull(); // stopped with npm start
    rmSync(`.tmp/nats-dev-${natsPort}`, { recursive: true, force: true });
  });

  it("does not reuse a NATS_DEV_PORT held by something other than its own dev server (another checkout's, say)", async () => {
    const foreign = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => foreign.once('listening', resolve));
    const natsPort = (foreign.address() as AddressInfo).port;
    try {
      const { NATS_URL: _unset, ...env } = REAL;
      const { code, output } = await run('scripts/start-all.ts', { ...env, NATS_DEV_PORT: String(natsPort) });
      expect(code, output).toBe(1);
      expect(output).not.toMatch(/^\s+at /m); // no stack frame
      expect(output).toContain(
        `127.0.0.1:${natsPort} (NATS_DEV_PORT) is taken by a process that is not this checkout's dev nats-server`,
      );
    } finally {
      foreign.close();
    }
  });

  it('a single subgraph entrypoint says the same', async () => {
    const closed = await freePort();
    const { code, output } = await run('subgraphs/identity/main.ts', {
      ...REAL,
      REDIS_URL: `redis://127.0.0.1:${closed}`,
    });
    expect(code, output).toBe(1);
    expectReadable(output);
    expect(output).toMatch(
      new RegExp(`Redis\\s+127\\.0\\.0\\.1:${closed}\\s+\\(connection refused; set by REDIS_URL\\)`),
    );
  });
  it('a chain watcher says the same about its database', async () => {
    const closed = await freePort();
    const { code, output } = await run(
      'workers/chain-watchers/main.ts',
      {
        ...REAL,
        DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/custody_dev`,
      },
      ['--network', 'ETH'],
    );
    expect(code, output).toBe(1);
    expectReadable(output);
    expect(output).toMatch(
      new RegExp(`PostgreSQL\\s+127\\.0\\.0\\.1:${closed}\\s+\\(connection refused; set by DATABASE_URL\\)`),
    );
  });
});
