import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../platform/logger.js';

/**
 * Wakes the outbox relay (NOTIFY outbox, 'ledger') after commits, at most once per `delayMs`. The ledger's
 * outbox has no NOTIFY trigger: a NOTIFY inside each posting transaction would serialize every commit
 * behind PostgreSQL's notify lock. The relay's poll interval remains the backstop.
 */
export class OutboxWaker {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly em: EntityManager,
    private readonly log: Logger,
    private readonly delayMs = 10,
  ) {}

  poke(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.em
        .fork()
        .getConnection()
        .execute(`select pg_notify('outbox', 'ledger')`)
        .catch((err: unknown) => this.log.warn({ err }, 'could not wake the outbox relay'));
    }, this.delayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
