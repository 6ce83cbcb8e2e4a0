import { z } from 'zod';
import type { Env } from './env.js';

/**
 * Tracing, read by every process (part of the runtime variables): OTEL_EXPORTER_OTLP_ENDPOINT unset = tracing off
 * (no SDK started); set = spans exported over OTLP/HTTP to `<endpoint>/v1/traces`. OTEL_SERVICE_NAME overrides the
 * name a process reports (default: its own, e.g. `ledger`, `chain-watcher-eth`).
 */
export const telemetryShape = {
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z
    .string()
    .regex(/^[\w.-]{1,64}$/)
    .optional(),
};

export interface TelemetryConfig {
  /** OTLP/HTTP base URL; null = tracing off. */
  endpoint: string | null;
  serviceName: string | null;
}

/**
 * The telemetry settings alone, for the bootstrap that runs before anything else is loaded (and before the process's
 * configuration: a bad value here is reported there too, with every other problem, and tracing stays off).
 */
export function telemetrySettings(env: Env): TelemetryConfig {
  const parsed = z.object(telemetryShape).safeParse({
    OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    OTEL_SERVICE_NAME: env.OTEL_SERVICE_NAME || undefined,
  });
  if (!parsed.success) return { endpoint: null, serviceName: null };
  return {
    endpoint: parsed.data.OTEL_EXPORTER_OTLP_ENDPOINT ?? null,
    serviceName: parsed.data.OTEL_SERVICE_NAME ?? null,
  };
}
