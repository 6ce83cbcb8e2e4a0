import { describe, expect, it } from 'vitest';
import { Metrics, queryTypeOf, type QueryObserver } from './metrics.js';

describe('queryTypeOf', () => {
  it('names a statement by its leading keyword, whatever the case, whitespace or comments before it', () => {
    expect(queryTypeOf('select 1')).toBe('select');
    expect(queryTypeOf('  INSERT INTO "wallet"."deposit" values ($1)')).toBe('insert');
    expect(queryTypeOf('/* outbox */ update x set y = 1')).toBe('update');
    expect(queryTypeOf('-- prune\ndelete from x')).toBe('delete');
  });

  it('puts everything else under "other": the label set stays bounded', () => {
    for (const sql of ['begin', 'with t as (select 1) select * from t', 'create table x (id int)', '', '(select 1)'])
      expect(queryTypeOf(sql)).toBe('other');
  });
});

describe('Metrics.trackDatabase', () => {
  it('exposes the pool as db_connections_{active,idle,pending,max} and statements as db_query_duration_seconds', async () => {
    const metrics = new Metrics('db-test');
    let observe: QueryObserver = () => undefined;
    metrics.trackDatabase({
      poolStats: () => ({ used: 3, free: 2, pending: 1, max: 10 }),
      observeQueries: (o) => (observe = o),
    });
    observe('select', 0.002);
    observe('select', 0.004);
    observe('insert', 0.01);
    const text = await metrics.registry.metrics();
    expect(text).toContain('db_connections_active{service="db-test"} 3');
    expect(text).toContain('db_connections_idle{service="db-test"} 2');
    expect(text).toContain('db_connections_pending{service="db-test"} 1');
    expect(text).toContain('db_connections_max{service="db-test"} 10');
    expect(text).toContain('db_query_duration_seconds_count{service="db-test",query_type="select"} 2');
    expect(text).toContain('db_query_duration_seconds_count{service="db-test",query_type="insert"} 1');
  });
});
