import { spawnSync } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';

/**
 * The engines every process needs (PostgreSQL, Redis, NATS), checked before anything connects, so a
 * missing one is one readable message (which engine, at which address, set by which variable, how to
 * start it) instead of a driver's ECONNREFUSED and a stack trace.
 */
export type EngineName = 'PostgreSQL' | 'Redis' | 'NATS';

export interface Engine {
  name: EngineName;
  /** The variable that sets its address. */
  variable: 'DATABASE_URL' | 'REDIS_URL' | 'NATS_URL';
  host: string;
  port: number;
  /** The compose service that runs it. */
  composeService: 'postgres' | 'redis' | 'nats';
}

export interface UnreachableEngine extends Engine {
  reason: string;
}

const DEFAULT_PORTS: Record<EngineName, number> = { PostgreSQL: 5432, Redis: 6379, NATS: 4222 };

function engineAt(
  name: EngineName,
  variable: Engine['variable'],
  composeService: Engine['composeService'],
  url: string,
): Engine {
  // NATS_URL may list several servers; the first one is checked.
  const first = url.split(',')[0]!.trim();
  const parsed = new URL(first.includes('://') ? first : `nats://${first}`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { name, variable, composeService, host, port: parsed.port ? Number(parsed.port) : DEFAULT_PORTS[name] };
}

/** The engines of this configuration (default: all three). */
/** The engines a process's configuration names (a process without a database section has no PostgreSQL to check). */
export interface EngineUrls {
  database?: { url: string };
  redis?: { url: string };
  nats?: { url: string };
}

export function enginesOf(config: EngineUrls, which: EngineName[] = ['PostgreSQL', 'Redis', 'NATS']): Engine[] {
  const all: Engine[] = [];
  if (config.database) all.push(engineAt('PostgreSQL', 'DATABASE_URL', 'postgres', config.database.url));
  if (config.redis) all.push(engineAt('Redis', 'REDIS_URL', 'redis', config.redis.url));
  if (config.nats) all.push(engineAt('NATS', 'NATS_URL', 'nats', config.nats.url));
  return all.filter((e) => which.includes(e.name));
}

/** Whether something accepts TCP connections at host:port within timeoutMs. */
export function probeTcp(host: string, port: number, timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (reason: string | null) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(
        err.code === 'ECONNREFUSED'
          ? 'connection refused'
          : err.code === 'ENOTFOUND'
            ? 'unknown host'
            : (err.code ?? err.message),
      ),
    );
  });
}

export async function unreachableEngines(engines: Engine[], timeoutMs = 2000): Promise<UnreachableEngine[]> {
  const results = await Promise.all(
    engines.map(async (engine) => ({ engine, reason: await probeTcp(engine.host, engine.port, timeoutMs) })),
  );
  return results.filter((r) => r.reason !== null).map((r) => ({ ...r.engine, reason: r.reason! }));
}

/** Debian/Ubuntu commands (as root) that start each engine, or install it when it is missing (ARCHITECTURE.md §10). */
const DEBIAN_START: Record<EngineName, string[]> = {
  PostgreSQL: [
    'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    '(missing: apt-get install -y postgresql)',
  ],
  Redis: [
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
    '(missing: apt-get install -y redis-server)',
  ],
  NATS: [
    'nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server &',
    '(missing: apt-get install -y nats-server; `npm start` runs its own when the binary is there)',
  ],
};

/** One readable block: what is unreachable, where, which variable sets it, and how to start it. */
export function describeUnreachable(down: UnreachableEngine[], options: { docker: boolean }): string {
  const width = Math.max(...down.map((e) => e.name.length));
  const lines = ['', `Cannot start: ${down.length === 1 ? 'an engine is' : 'engines are'} not reachable.`, ''];
  for (const engine of down) {
    lines.push(
      `  ${engine.name.padEnd(width)}  ${engine.host}:${engine.port}  (${engine.reason}; set by ${engine.variable})`,
    );
  }
  lines.push('', 'Start them, then run this again:');
  const services = down.map((e) => e.composeService).join(' ');
  if (options.docker) {
    lines.push(`  docker compose -f docker-compose.dev.yml up -d ${services}`);
  } else {
    lines.push('  on Debian/Ubuntu, as root:');
    for (const engine of down) for (const command of DEBIAN_START[engine.name]) lines.push(`    ${command}`);
    lines.push(`  or with Docker: docker compose -f docker-compose.dev.yml up -d ${services}`);
  }
  lines.push('  or point the variables above at running servers.', '');
  return lines.join('\n');
}

/** Docker with a running daemon (then `docker compose` can start the engines). */
export function dockerAvailable(): boolean {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 });
  return result.status === 0;
}

/** For a single service's main: the engines it uses must answer, or one readable block and exit 1. */
export async function exitIfEnginesDown(config: EngineUrls, which?: EngineName[]): Promise<void> {
  const down = await unreachableEngines(enginesOf(config, which));
  if (!down.length) return;
  process.stderr.write(describeUnreachable(down, { docker: dockerAvailable() }));
  process.exit(1);
}
