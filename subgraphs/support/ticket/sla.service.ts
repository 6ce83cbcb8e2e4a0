import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { badInput, forbidden } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { SupportMetrics } from '../support.metrics.js';
import { isSupportStaff } from './ticket.access.js';
import { TicketEvents, type TicketSlaBreachedPayload } from './ticket.events.js';

export interface SlaSettings {
  firstResponseSlaMinutes: number;
  resolutionSlaHours: number;
}

export interface SlaStats {
  waiting: number;
  oldestWaitingSeconds: number | null;
  breachedUnanswered: number;
  firstResponseSlaMinutes: number;
  resolutionSlaHours: number;
  firstResponseP50Seconds: number | null;
  firstResponseP90Seconds: number | null;
  resolutionP50Seconds: number | null;
  answeredWithinSla: number;
  opened: number;
  resolvedLate: number;
}

/** Rows one scan marks at most (the scan runs again at once while it finds a full batch). */
const BATCH = 100;

/**
 * Service levels: a periodic scan marks tickets that got no public staff answer within the first-response SLA
 * (`sla_breached_at`, once) and publishes `support.ticket.sla-breached` in the same transaction (staff alert);
 * `stats` answers staff with the queue's state and the SLA figures of a recent window.
 */
export class SlaService {
  constructor(
    private readonly settings: SlaSettings,
    private readonly metrics: SupportMetrics,
    private readonly log: Logger,
  ) {}

  /** Marks one batch of breaches; true when there may be more. */
  async markBreaches(em: EntityManager): Promise<boolean> {
    const marked = await em.fork().transactional(async (tx) => {
      const rows = await tx.getConnection().execute<{ id: string; user_id: string; created_at: Date }[]>(
        `update "support"."ticket" set "sla_breached_at" = now()
         where "id" in (select "id" from "support"."ticket"
           where "sla_breached_at" is null and "first_response_at" is null and "status" in ('OPEN', 'WAITING_ON_STAFF')
             and "created_at" < now() - make_interval(mins => ?)
           order by "created_at" limit ${BATCH} for update skip locked)
         returning "id", "user_id", "created_at"`,
        [this.settings.firstResponseSlaMinutes],
        'all',
        tx.getTransactionContext(),
      );
      for (const row of rows)
        recordEvent<TicketSlaBreachedPayload>(tx, TicketEvents.slaBreached, 'support', {
          ticketId: row.id,
          userId: row.user_id,
          openedAt: new Date(row.created_at).toISOString(),
          slaMinutes: this.settings.firstResponseSlaMinutes,
        });
      return rows;
    });
    if (marked.length) {
      this.metrics.slaBreaches.inc(marked.length);
      this.log.warn({ tickets: marked.map((r) => r.id) }, 'first-response SLA breached');
    }
    return marked.length === BATCH;
  }

  async stats(em: EntityManager, viewer: Viewer, windowDays: number): Promise<SlaStats> {
    if (!isSupportStaff(viewer)) throw forbidden('Support staff only');
    if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 365)
      throw badInput('windowDays is 1 to 365', { field: 'windowDays' });
    const [queue] = await em.getConnection().execute<Record<string, string | number | null>[]>(
      `select count(*)::int as "waiting",
              floor(extract(epoch from now() - min("waiting_since")))::int as "oldest",
              count(*) filter (where "sla_breached_at" is not null and "first_response_at" is null)::int as "breached"
       from "support"."ticket" where "waiting_since" is not null`,
    );
    const [window] = await em.getConnection().execute<Record<string, string | number | null>[]>(
      `select count(*)::int as "opened",
              count(*) filter (where "first_response_at" <= "created_at" + make_interval(mins => ?))::int as "within",
              count(*) filter (where "resolved_at" > "created_at" + make_interval(hours => ?))::int as "late",
              percentile_cont(0.5) within group (order by extract(epoch from "first_response_at" - "created_at")) as "fr50",
              percentile_cont(0.9) within group (order by extract(epoch from "first_response_at" - "created_at")) as "fr90",
              percentile_cont(0.5) within group (order by extract(epoch from "resolved_at" - "created_at")) as "res50"
       from "support"."ticket" where "created_at" > now() - make_interval(days => ?)`,
      [this.settings.firstResponseSlaMinutes, this.settings.resolutionSlaHours, windowDays],
    );
    const int = (v: string | number | null | undefined) =>
      v === null || v === undefined ? null : Math.round(Number(v));
    return {
      waiting: int(queue?.waiting) ?? 0,
      oldestWaitingSeconds: int(queue?.oldest),
      breachedUnanswered: int(queue?.breached) ?? 0,
      firstResponseSlaMinutes: this.settings.firstResponseSlaMinutes,
      resolutionSlaHours: this.settings.resolutionSlaHours,
      firstResponseP50Seconds: int(window?.fr50),
      firstResponseP90Seconds: int(window?.fr90),
      resolutionP50Seconds: int(window?.res50),
      answeredWithinSla: int(window?.within) ?? 0,
      opened: int(window?.opened) ?? 0,
      resolvedLate: int(window?.late) ?? 0,
    };
  }
}
