import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface PoolStats {
  used: number;
  free: number;
  pending: number;
  max: number;
}

/** What `db_query_duration_seconds` labels a statement with: its leading keyword (a bounded set). */
export type QueryType = 'select' | 'insert' | 'update' | 'delete' | 'other';
export type QueryObserver = (queryType: QueryType, seconds: number) => void;

/** A process's database as metrics see it: its pool, read at scrape time, and every statement's duration. */
export interface DatabaseSource {
  poolStats(): PoolStats | null;
  /** Calls `observe` once per statement that completes (successfully or not). */
  observeQueries(observe: QueryObserver): void;
}

const QUERY_TYPES = new Set<string>(['select', 'insert', 'update', 'delete']);

/** `select …` → select; `WITH … ` / `begin` / DDL → other. Comments and leading whitespace are skipped. */
export function queryTypeOf(sql: string): QueryType {
  const keyword = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? '';
  return QUERY_TYPES.has(keyword) ? (keyword as QueryType) : 'other';
}

/**
 * One registry per process, with the GitiNext spec's names: `http_requests_total{method,path,status}`,
 * `http_request_duration_seconds{method,path}` (path = a route the server knows, or "unmatched": never a raw
 * URL), and, once `trackDatabase` is called, `db_connections_*` and `db_query_duration_seconds{query_type}`.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'path' | 'status'>;
  readonly duration: Histogram<'method' | 'path'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by method, route path and status',
      labelNames: ['method', 'path', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by method and route path',
      labelNames: ['method', 'path'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  /**
   * `db_connections_active` / `db_connections_idle` (the spec's two), plus `db_connections_pending` (callers
   * waiting for a connection: the first sign of an undersized pool) and `db_connections_max`, read from the pool
   * at scrape time; and `db_query_duration_seconds{query_type}` for every statement.
   */
  trackDatabase(source: DatabaseSource): void {
    const gauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const stats = source.poolStats();
          if (stats) this.set(read(stats));
        },
      });
    gauge('db_connections_active', 'Database connections checked out of the pool', (s) => s.used);
    gauge('db_connections_idle', 'Database connections open and idle in the pool', (s) => s.free);
    gauge('db_connections_pending', 'Callers waiting for a database connection', (s) => s.pending);
    gauge('db_connections_max', 'Size limit of the database pool', (s) => s.max);
    const queries = new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Database statement latency in seconds, by statement type',
      labelNames: ['query_type'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    source.observeQueries((queryType, seconds) => queries.observe({ query_type: queryType }, seconds));
  }
}
