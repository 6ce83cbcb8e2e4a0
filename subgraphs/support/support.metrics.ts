import { Counter, Histogram, type Registry } from 'prom-client';

/** Support's SLA and alert metrics, on the subgraph's /metrics. */
export interface SupportMetrics {
  /** Seconds from opening to the first public staff answer. */
  firstResponse: Histogram;
  /** Seconds from opening to resolution. */
  resolution: Histogram;
  slaBreaches: Counter;
  alertsSent: Counter;
  /** 429 answers Telegram gave the alert sender (each waited out, nothing lost). */
  alertFloodWaits: Counter;
}

const SLA_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 604_800];

export function createSupportMetrics(registry: Registry): SupportMetrics {
  const registers = [registry];
  return {
    firstResponse: new Histogram({
      name: 'support_first_response_seconds',
      help: 'Seconds from a ticket opening to the first public staff answer',
      buckets: SLA_BUCKETS,
      registers,
    }),
    resolution: new Histogram({
      name: 'support_resolution_seconds',
      help: 'Seconds from a ticket opening to its resolution',
      buckets: SLA_BUCKETS,
      registers,
    }),
    slaBreaches: new Counter({
      name: 'support_sla_breaches_total',
      help: 'Tickets that got no first response within the SLA',
      registers,
    }),
    alertsSent: new Counter({
      name: 'support_alerts_sent_total',
      help: 'Staff alerts Telegram accepted',
      labelNames: ['kind'],
      registers,
    }),
    alertFloodWaits: new Counter({
      name: 'support_alert_flood_waits_total',
      help: 'Telegram 429 answers to staff alerts, waited out and sent again',
      registers,
    }),
  };
}
