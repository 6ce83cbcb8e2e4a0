import type { Logger } from '../../platform/logger.js';

/**
 * `count` loops running `task` at once, each again at once while it finds work, else after `idleMs` or when
 * woken (new rows were queued). stop() waits for the runs in progress.
 */
export function startLanes(
  count: number,
  idleMs: number,
  log: Logger,
  task: () => Promise<boolean>,
): { wake(): void; stop(): Promise<void> } {
  let stopped = false;
  const sleepers = new Set<() => void>();
  const lane = async (): Promise<void> => {
    while (!stopped) {
      let more = false;
      try {
        more = await task();
      } catch (err) {
        log.warn({ err }, 'send lane failed: will retry');
      }
      if (stopped || more) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, idleMs);
        function done() {
          clearTimeout(timer);
          sleepers.delete(done);
          resolve();
        }
        sleepers.add(done);
      });
    }
  };
  const running = Array.from({ length: count }, () => lane());
  const wakeAll = () => {
    for (const wake of [...sleepers]) wake();
  };
  return {
    wake: wakeAll,
    async stop() {
      stopped = true;
      wakeAll();
      await Promise.all(running);
    },
  };
}
