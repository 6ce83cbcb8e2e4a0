import { register } from 'node:module';
import { processEnvironment } from '../config/env.js';
import { telemetrySettings } from '../config/telemetry.js';
import { setActiveTelemetry } from './active.js';
import { startTelemetry, type RunningTelemetry } from './sdk.js';
import { serviceNameOf } from './service-name.js';

/**
 * Tracing bootstrap: the first import of every entrypoint (`import '../platform/telemetry/register.js'`), so the SDK
 * patches pg, ioredis and graphql before the application loads them. With OTEL_EXPORTER_OTLP_ENDPOINT unset it does
 * nothing (no SDK, no loader hook). Node's own modules (http) imported by ESM can only be patched through the loader
 * hook registered here, which sees only modules loaded after it: run with `node --import tsx --import
 * ./platform/telemetry/register.ts <entry>` (what `npm start` does when tracing is on) to have http spans as well.
 */
const settings = telemetrySettings(processEnvironment());

export const telemetry: RunningTelemetry | null = settings.endpoint ? start(settings.endpoint) : null;

function start(endpoint: string): RunningTelemetry {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const running = startTelemetry({
    serviceName: settings.serviceName ?? serviceNameOf(process.argv, process.cwd()),
    export: { endpoint },
  });
  // Buffered spans leave before the process does: platform/shutdown.ts exports them after draining.
  setActiveTelemetry(running);
  process.once('beforeExit', () => void running.shutdown());
  return running;
}
