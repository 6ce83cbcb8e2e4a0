import { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '../../platform/http/metrics.js';

/** The live server's counters and gauges (no-ops when the process has no metrics registry). */
export interface LiveMetrics {
  executions: { inc(labels: { field: string }): void };
  frames: { inc(labels: { field: string }, value: number): void };
  delivery: { observe(labels: { field: string }, seconds: number): void };
  slowConsumers: { inc(): void };
  /** Sockets closed by the server for a reason other than protocol errors (revoked, over a cap, expired). */
  closed: { inc(labels: { reason: string }, value?: number): void };
  sockets: { setCollector(read: () => number): void } | null;
}

export function liveMetrics(metrics: Metrics | undefined): LiveMetrics {
  if (!metrics) {
    const none = () => undefined;
    return {
      executions: { inc: none },
      frames: { inc: none },
      delivery: { observe: none },
      slowConsumers: { inc: none },
      closed: { inc: none },
      sockets: null,
    };
  }
  const registers = [metrics.registry];
  const executions = new Counter({
    name: 'live_fanout_executions_total',
    help: 'Follow-up executions of fan-out subscriptions (one per group and topic per event)',
    labelNames: ['field'],
    registers,
  });
  const frames = new Counter({
    name: 'live_fanout_frames_total',
    help: 'Frames written to sockets by fan-out',
    labelNames: ['field'],
    registers,
  });
  const delivery = new Histogram({
    name: 'live_fanout_delivery_seconds',
    help: 'Time to write one fan-out result to every member socket',
    labelNames: ['field'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1],
    registers,
  });
  const slow = new Counter({
    name: 'live_slow_consumers_total',
    help: 'Sockets closed because they did not read their frames',
    registers,
  });
  const closed = new Counter({
    name: 'live_sockets_closed_total',
    help: 'Sockets closed by the gateway: revoked, access changed, expired, over the per-viewer cap',
    labelNames: ['reason'],
    registers,
  });
  let read: () => number = () => 0;
  new Gauge({
    name: 'live_sockets',
    help: 'Open graphql-ws sockets',
    registers,
    collect() {
      this.set(read());
    },
  });
  return {
    executions: { inc: (labels) => executions.inc(labels) },
    frames: { inc: (labels, value) => frames.inc(labels, value) },
    delivery: { observe: (labels, seconds) => delivery.observe(labels, seconds) },
    slowConsumers: { inc: () => slow.inc() },
    closed: { inc: (labels, value = 1) => closed.inc(labels, value) },
    sockets: { setCollector: (r) => (read = r) },
  };
}
