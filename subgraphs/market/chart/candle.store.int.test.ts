import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSubgraph, type RunningSubgraph } from '../../../platform/service/subgraph.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { marketSubgraph } from '../app.js';
import { CandleStore, type Tick } from './candle.store.js';
import { ChartService } from './chart.service.js';

let env: TestEnv;
let market: RunningSubgraph;
const store = new CandleStore();

beforeAll(async () => {
  env = await createTestEnv();
  market = await startSubgraph(marketSubgraph, env.config, env.log, 0);
});
afterAll(async () => {
  await market?.close();
  await env?.cleanup();
});
beforeEach(async () => {
  await market.deps.orm.em.getConnection().execute('truncate "market"."price_tick", "market"."candle"');
});

const em = () => market.deps.orm.em.fork();
const tick = (at: string, price: string, coin: Tick['coin'] = 'TON', quote: Tick['quote'] = 'USD'): Tick => ({
  coin,
  quote,
  at: new Date(at),
  price,
  change24h: null,
  sourceCount: 2,
  updatedAt: new Date(at),
});
const wide = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') };
const ohlc = (c: { time: Date; open: string; high: string; low: string; close: string; tickCount: number }) => [
  c.time.toISOString(),
  c.open,
  c.high,
  c.low,
  c.close,
  c.tickCount,
];

describe('candles from ticks', () => {
  it('splits ticks at bucket edges: 59.999 s is the old minute, 00.000 the new one; likewise 5 minutes, hours and UTC days', async () => {
    await store.record(em(), [
      tick('2026-11-21T23:58:10.000Z', '10'),
      tick('2026-11-21T23:59:59.999Z', '12'),
      tick('2026-11-22T00:00:00.000Z', '11'),
      tick('2026-11-22T00:04:59.999Z', '9'),
      tick('2026-11-22T00:05:00.000Z', '13'),
    ]);
    const get = (tf: 'M1' | 'M5' | 'H1' | 'D1') =>
      store.range(em(), 'TON', 'USD', tf, wide.from, wide.to).then((cs) => cs.map(ohlc));
    expect(await get('M1')).toEqual([
      ['2026-11-21T23:58:00.000Z', '10', '10', '10', '10', 1],
      ['2026-11-21T23:59:00.000Z', '12', '12', '12', '12', 1],
      ['2026-11-22T00:00:00.000Z', '11', '11', '11', '11', 1],
      ['2026-11-22T00:04:00.000Z', '9', '9', '9', '9', 1],
      ['2026-11-22T00:05:00.000Z', '13', '13', '13', '13', 1],
    ]);
    expect(await get('M5')).toEqual([
      ['2026-11-21T23:55:00.000Z', '10', '12', '10', '12', 2],
      ['2026-11-22T00:00:00.000Z', '11', '11', '9', '9', 2],
      ['2026-11-22T00:05:00.000Z', '13', '13', '13', '13', 1],
    ]);
    expect(await get('H1')).toEqual([
      ['2026-11-21T23:00:00.000Z', '10', '12', '10', '12', 2],
      ['2026-11-22T00:00:00.000Z', '11', '13', '9', '13', 3],
    ]);
    expect(await get('D1')).toEqual([
      ['2026-11-21T00:00:00.000Z', '10', '12', '10', '12', 2],
      ['2026-11-22T00:00:00.000Z', '11', '13', '9', '13', 3],
    ]);
  });

  it('merges batches in any order: open is the earliest tick, close the latest, high/low across all', async () => {
    await store.record(em(), [tick('2026-11-22T10:00:30Z', '5.5'), tick('2026-11-22T10:00:40Z', '5.4')]);
    await store.record(em(), [tick('2026-11-22T10:00:05Z', '5.1')]); // late, earlier than everything: becomes the open
    await store.record(em(), [tick('2026-11-22T10:00:59.5Z', '5.3'), tick('2026-11-22T10:00:20Z', '5.9')]);
    const [m1] = await store.range(em(), 'TON', 'USD', 'M1', wide.from, wide.to);
    expect(ohlc(m1!)).toEqual(['2026-11-22T10:00:00.000Z', '5.1', '5.9', '5.1', '5.3', 5]);
  });

  it('keeps exact decimals and keeps pairs apart', async () => {
    await store.record(em(), [
      tick('2026-11-22T10:00:00Z', '0.000000000000000001'),
      tick('2026-11-22T10:00:01Z', '527843.1', 'TON', 'IRT'),
      tick('2026-11-22T10:00:02Z', '3512.48291034', 'ETH'),
    ]);
    const ton = await store.range(em(), 'TON', 'USD', 'M1', wide.from, wide.to);
    const irt = await store.range(em(), 'TON', 'IRT', 'M1', wide.from, wide.to);
    expect(ton.map((c) => c.close)).toEqual(['0.000000000000000001']);
    expect(irt.map((c) => c.close)).toEqual(['527843.1']);
  });

  it('returns the buckets overlapping [from, to), and refuses more than 1,000 candles per request', async () => {
    await store.record(em(), [
      tick('2026-11-22T10:00:00Z', '1'),
      tick('2026-11-22T10:01:00Z', '2'),
      tick('2026-11-22T10:02:00Z', '3'),
    ]);
    const inRange = await store.range(
      em(),
      'TON',
      'USD',
      'M1',
      new Date('2026-11-22T10:00:30Z'),
      new Date('2026-11-22T10:02:00Z'),
    );
    expect(inRange.map((c) => c.close)).toEqual(['1', '2']);
    const charts = new ChartService(store, () => new Date('2026-11-22T10:03:00Z'));
    expect((await charts.chart(em(), { coin: 'TON', quote: 'USD', timeframe: 'M1' })).map((c) => c.close)).toEqual([
      '1',
      '2',
      '3',
    ]);
    await expect(
      charts.chart(em(), { coin: 'TON', quote: 'USD', timeframe: 'M1', from: new Date('2026-11-20T00:00:00Z') }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await charts.chart(em(), { coin: 'IRT', quote: 'IRT', timeframe: 'M1' })).toEqual([]);
  });

  it('prunes ticks and candles past their retention; D1 with retention 0 stays', async () => {
    const now = new Date('2026-11-22T12:00:00Z');
    await store.record(em(), [
      tick('2026-11-10T12:00:00Z', '1'),
      tick('2026-11-21T12:00:00Z', '2'),
      tick('2026-11-22T11:00:00Z', '3'),
    ]);
    const removed = await store.prune(em(), now, { tickDays: 2, candleDays: { M1: 3, M5: 3, H1: 3, D1: 0 } }, 1);
    expect(removed).toBe(1 + 3); // the old tick, and its M1, M5 and H1 candles
    const count = async (sql: string) => Number((await em().getConnection().execute<{ n: string }[]>(sql))[0]!.n);
    expect(await count('select count(*) as n from "market"."price_tick"')).toBe(2);
    expect(await count(`select count(*) as n from "market"."candle" where "timeframe" = 'D1'`)).toBe(3);
    expect(await count(`select count(*) as n from "market"."candle" where "timeframe" = 'M1'`)).toBe(2);
  });
});
