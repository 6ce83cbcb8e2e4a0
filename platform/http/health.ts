import { readFileSync } from 'node:fs';

export type DependencyName = 'database' | 'redis' | 'nats' | (string & {});
export type HealthCheck = () => Promise<void>;
export type HealthStatus = 'healthy' | 'unhealthy';

/**
 * The detailed health report, shaped as the GitiNext spec names it: `{ status, service, version, uptime,
 * dependencies: { database, redis, nats } }`, listing only what the process uses (plus its own checks such as a
 * watcher's `chain`). `details` adds each check's latency and error for whoever reads it on the internal port.
 */
export interface HealthReport {
  status: HealthStatus;
  service: string;
  version: string;
  /** Seconds since the process started. */
  uptime: number;
  dependencies: Record<string, HealthStatus>;
  details: Record<string, { latencyMs: number; error?: string }>;
}

const TIMEOUT_MS = 2000;

/** The version in the project's package.json, read once (the same file in a checkout and in the image). */
export const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Runs each dependency check with a timeout; any failure makes the report unhealthy (HTTP 503). */
export async function runHealthChecks(
  service: string,
  checks: Record<DependencyName, HealthCheck>,
): Promise<HealthReport> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      const latency = () => Math.round(performance.now() - started);
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS).unref()),
        ]);
        return { name, status: 'healthy' as const, detail: { latencyMs: latency() } };
      } catch (err) {
        return { name, status: 'unhealthy' as const, detail: { latencyMs: latency(), error: (err as Error).message } };
      }
    }),
  );
  return {
    status: results.every((r) => r.status === 'healthy') ? 'healthy' : 'unhealthy',
    service,
    version: SERVICE_VERSION,
    uptime: Math.round(process.uptime()),
    dependencies: Object.fromEntries(results.map((r) => [r.name, r.status])),
    details: Object.fromEntries(results.map((r) => [r.name, r.detail])),
  };
}
