import type { Logger } from './logger.js';
import { shutdownTelemetry } from './telemetry/active.js';

type Step = { name: string; run: () => Promise<void> | void };

/**
 * Ordered graceful shutdown: on SIGTERM/SIGINT run each step (stop accepting, drain, close clients) in
 * the order registered, then exit. A second signal or the grace period forces the exit.
 */
export class Shutdown {
  private readonly steps: Step[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly log: Logger,
    private readonly graceMs: number,
  ) {}

  add(name: string, run: () => Promise<void> | void): this {
    this.steps.push({ name, run });
    return this;
  }

  async run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps) {
        try {
          await step.run();
        } catch (err) {
          this.log.warn({ err, step: step.name }, 'shutdown step failed');
        }
      }
      await shutdownTelemetry();
    })();
    return this.running;
  }

  listen(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.running) {
        this.log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      this.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        this.log.error('shutdown grace period exceeded: exiting');
        process.exit(1);
      }, this.graceMs + 2000);
      force.unref();
      void this.run().then(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}
