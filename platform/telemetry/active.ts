import type { RunningTelemetry } from './sdk.js';

let active: RunningTelemetry | null = null;

/** Remembers the process's running SDK (register.ts), so the graceful shutdown can export what is still buffered. */
export function setActiveTelemetry(running: RunningTelemetry | null): void {
  active = running;
}

/** Exports buffered spans and stops tracing; nothing when tracing is off. Never throws. */
export async function shutdownTelemetry(): Promise<void> {
  const running = active;
  active = null;
  await running?.shutdown().catch(() => undefined);
}
