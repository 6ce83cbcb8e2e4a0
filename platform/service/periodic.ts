import type { Logger } from '../logger.js';

/**
 * Runs `task` every `intervalMs` (again at once while it reports more work) until stopped; a failure is
 * logged and retried at the next tick. stop() waits for the run in progress.
 */
export function runPeriodically(
  name: string,
  intervalMs: number,
  log: Logger,
  task: () => Promise<boolean>,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped) {
      let more = false;
      try {
        more = await task();
      } catch (err) {
        log.warn({ err, task: name }, 'periodic task failed: will retry');
      }
      if (stopped) break;
      if (more) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
      wake = null;
    }
  })();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
