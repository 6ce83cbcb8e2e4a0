export type DependencyName = 'database' | 'redis' | 'nats' | (string & {});
export type HealthCheck = () => Promise<void>;

export interface HealthReport {
  status: 'ok' | 'degraded';
  service: string;
  checks: Record<string, { status: 'up' | 'down'; error?: string; latencyMs: number }>;
}

const TIMEOUT_MS = 2000;

/** Runs each dependency check with a timeout; any failure makes the report degraded (HTTP 503). */
export async function runHealthChecks(
  service: string,
  checks: Record<DependencyName, HealthCheck>,
): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS).unref()),
        ]);
        return [name, { status: 'up' as const, latencyMs: Math.round(performance.now() - started) }] as const;
      } catch (err) {
        return [
          name,
          {
            status: 'down' as const,
            error: (err as Error).message,
            latencyMs: Math.round(performance.now() - started),
          },
        ] as const;
      }
    }),
  );
  const result = Object.fromEntries(entries);
  return { status: entries.every(([, c]) => c.status === 'up') ? 'ok' : 'degraded', service, checks: result };
}
