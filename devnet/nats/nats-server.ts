import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { devNatsPassword } from '../../platform/bus/nats.js';
import { quote, renderNatsServerConfig } from './server-config.js';

/**
 * Runs a nats-server with the platform's per-service authorization (dev: `npm start`, `npm run nats:dev`;
 * tests: vitest's global setup). Users log in with their dev-only passwords (devNatsPassword).
 */
export interface AuthorizedNatsServer {
  url: string;
  port: number;
  configFile: string;
  stop(): Promise<void>;
}

export interface StartNatsServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Directory for the config file and the JetStream store. */
  dir: string;
  subjectPrefix: string;
  stream: string;
  /** Test servers only: unauthenticated clients become this all-powerful user (see server-config.ts). */
  harnessUser?: { name: string; password: string };
  /** Where the server's log lines go (default: dropped). */
  onLog?: (line: string) => void;
  /**
   * Its own process group, so a Ctrl-C to the terminal reaches the services but not the server they drain
   * into (npm start stops it after them). Either way it is killed when this process exits.
   */
  detached?: boolean;
}

/** The nats-server binary: NATS_SERVER_BIN, else `nats-server` on PATH, else Debian's /usr/sbin/nats-server. */
export function findNatsServerBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [
    env.NATS_SERVER_BIN,
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/bin/nats-server',
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return null;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Where a dev nats-server started with `dir` records its process id. */
export function natsPidFile(dir: string): string {
  return join(resolve(dir), 'nats-server.pid');
}

/** Whether the dev nats-server recorded in `dir` is still running (a process with that id exists). */
export function ownNatsServerRunning(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(natsPidFile(dir), 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startAuthorizedNatsServer(options: StartNatsServerOptions): Promise<AuthorizedNatsServer> {
  const binary = findNatsServerBinary();
  if (!binary) throw new Error('nats-server is not installed: apt-get install -y nats-server (or set NATS_SERVER_BIN)');
  const host = options.host ?? '127.0.0.1';
  const port = options.port || (await freePort(host));
  const dir = resolve(options.dir);
  mkdirSync(join(dir, 'jetstream'), { recursive: true });
  const configFile = join(dir, 'nats-server.conf');
  writeFileSync(
    configFile,
    renderNatsServerConfig({
      host,
      port,
      storeDir: join(dir, 'jetstream'),
      subjectPrefix: options.subjectPrefix,
      stream: options.stream,
      password: (user) => quote(devNatsPassword(user)),
      harnessUser: options.harnessUser,
    }),
    { mode: 0o600 },
  );
  // The pid file tells a later `npm start` of this checkout that the server on this port is its own.
  const child = spawn(binary, ['-c', configFile, '-P', natsPidFile(dir)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const output: string[] = [];
  const ready = new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        output.push(line);
        options.onLog?.(line);
        if (/Server is ready/.test(line)) resolveReady();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`nats-server exited (${code}) before it was ready:\n${output.slice(-10).join('\n')}`)),
    );
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    await ready;
  } finally {
    clearTimeout(timeout);
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url: `nats://${host}:${port}`,
    port,
    configFile,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
