import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { formatDecimal, parseDecimal } from '../../../providers/http/scaled-decimal.js';
import { rialToToman } from '../../../providers/nobitex/nobitex.client.js';
import { createPriceSources } from '../../../providers/prices.config.js';
import { startPriceSimulators, type PriceSimulators } from '../../../devnet/prices/price-simulators.js';
import { buildMarketServices } from '../app.js';
import type { MarketServices } from '../context.js';
import { ALL_PAIRS } from './price.model.js';

let sims: PriceSimulators;
let stack: TestStack;
let market: MarketServices;
const clients: Client[] = [];

beforeAll(async () => {
  sims = await startPriceSimulators({ seed: 21 });
  stack = await startStack({
    COINGECKO_BASE_URL: sims.config.coingecko!.baseUrl,
    COINMARKETCAP_BASE_URL: sims.config.coinmarketcap!.baseUrl,
    NOBITEX_BASE_URL: sims.config.nobitex!.baseUrl,
    RATE_LIMIT_IP_PER_MINUTE: '100000',
    RATE_LIMIT_VIEWER_PER_MINUTE: '100000',
  });
  // the price feed as the worker runs it, on the stack's connections (same Redis prefix, NATS subject prefix)
  market = buildMarketServices(stack.subgraphs.get('market')!.deps, {
    sources: createPriceSources(sims.config, { resilience: { retries: 0, breaker: false, timeoutMs: 2_000 } }).all,
  });
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await stack?.close();
  await sims?.close();
});

describe('prices through the gateway', () => {
  it('answers Asset.price in USD and Toman, exact, for anyone; Toman itself has no price', async () => {
    await market.cache.clear(ALL_PAIRS);
    const res = await gql(
      stack.graphqlUrl,
      `{ assets { symbol usd: price(quote: USD) { value scale sourceCount sources updatedAt } irt: price(quote: IRT) { symbol coin quote value change24h sources asset { decimals } } } }`,
    );
    expect(res.body.errors).toBeUndefined();
    const bySymbol = new Map(
      (
        res.body.data!.assets as {
          symbol: string;
          usd: Record<string, unknown> | null;
          irt: Record<string, unknown> | null;
        }[]
      ).map((a) => [a.symbol, a]),
    );
    expect(bySymbol.get('IRT')).toEqual({ symbol: 'IRT', usd: null, irt: null });
    const ton = bySymbol.get('TON')!;
    expect(ton.usd).toMatchObject({ sourceCount: 2, sources: ['coingecko', 'coinmarketcap'] });
    expect((ton.usd!.value as string).split('.')[1]?.length ?? 0).toBe(ton.usd!.scale);
    expect(ton.irt).toMatchObject({
      symbol: 'TON',
      coin: 'TON',
      quote: 'IRT',
      sources: ['nobitex'],
      asset: { decimals: 9 },
    });
    expect(ton.irt!.value).toBe(formatDecimal(rialToToman(parseDecimal(sims.nobitex.prices()['ton-rls']!))));
    // every USDT asset is priced as USDT, one price
    expect(bySymbol.get('USDT_TRON')!.irt!.value).toBe(bySymbol.get('USDT_BSC')!.irt!.value);
    expect(bySymbol.get('USDT_TRON')!.irt!.symbol).toBe('USDT_TRON');

    const list = await gql(stack.graphqlUrl, `{ prices(symbols: ["ETH", "IRT"], quote: USD) { symbol value } }`);
    expect(list.body.data!.prices).toEqual([{ symbol: 'ETH', value: expect.stringMatching(/^\d+\.\d+$/) }, null]);
    expect(errorCode(await gql(stack.graphqlUrl, `{ prices(symbols: ["DOGE"], quote: USD) { value } }`))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('1,000 concurrent asset.price reads after cache expiry: at most one upstream call per provider', async () => {
    await gql(stack.graphqlUrl, `{ asset(symbol: "TON") { price(quote: USD) { value } } }`);
    await market.cache.clear(ALL_PAIRS); // expired (the 60 s TTL itself is exercised in price.int.test.ts)
    const before = {
      cg: sims.coingecko.requestCount(),
      cmc: sims.coinmarketcap.requestCount(),
      nbx: sims.nobitex.requestCount(),
    };
    const results = await Promise.all(
      Array.from({ length: 1_000 }, () =>
        gql(stack.graphqlUrl, `{ asset(symbol: "TON") { usd: price(quote: USD) { value } } }`),
      ),
    );
    expect(results.filter((r) => r.body.errors).map((r) => r.body.errors)).toEqual([]);
    expect(new Set(results.map((r) => r.body.data!.asset.usd.value)).size).toBe(1);
    expect({
      cg: sims.coingecko.requestCount() - before.cg,
      cmc: sims.coinmarketcap.requestCount() - before.cmc,
      nbx: sims.nobitex.requestCount() - before.nbx,
    }).toEqual({ cg: 1, cmc: 1, nbx: 1 });
  });

  it('all sources down: a clear PRICE_UNAVAILABLE, and the gateway stays up', async () => {
    for (const s of [sims.coingecko, sims.coinmarketcap, sims.nobitex]) s.setFailure('server-error');
    try {
      await market.cache.clear(ALL_PAIRS);
      const res = await gql(stack.graphqlUrl, `{ asset(symbol: "BNB") { symbol price(quote: IRT) { value } } }`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ asset: { symbol: 'BNB', price: null } });
      expect(res.body.errors?.[0]).toMatchObject({
        message: expect.stringContaining('No price source'),
        extensions: { code: 'PRICE_UNAVAILABLE', coin: 'BNB', quote: 'IRT' },
      });
      expect((await fetch(`${stack.gateway.url}/health`)).status).toBe(200);
      expect((await gql(stack.graphqlUrl, `{ asset(symbol: "BNB") { decimals } }`)).body.data).toEqual({
        asset: { decimals: 18 },
      });
    } finally {
      for (const s of [sims.coingecko, sims.coinmarketcap, sims.nobitex]) s.setFailure(null);
      await market.cache.clear(ALL_PAIRS);
    }
  });

  it('charts the stored ticks', async () => {
    await market.feed.refresh();
    await market.feed.refresh();
    const res = await gql(
      stack.graphqlUrl,
      `{ asset(symbol: "USDT_TON") { chart(timeframe: M1, quote: USD) { time open high low close ticks } } }`,
    );
    expect(res.body.errors).toBeUndefined();
    const candles = res.body.data!.asset.chart as { ticks: number; high: string; low: string }[];
    expect(candles.length).toBeGreaterThan(0);
    expect(candles.reduce((n, c) => n + c.ticks, 0)).toBeGreaterThanOrEqual(2);
    for (const c of candles) expect(Number(c.high)).toBeGreaterThanOrEqual(Number(c.low));
  });
});

describe('priceUpdated over graphql-ws', () => {
  async function token(): Promise<string> {
    const res = await gql(
      stack.graphqlUrl,
      `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
      { d: initDataFor(newTelegramUser()) },
    );
    return res.body.data!.signInWithTelegram.accessToken as string;
  }

  function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}) {
    const received: { data?: { priceUpdated?: Record<string, unknown> } | null; errors?: unknown[]; at: number }[] = [];
    const failures: unknown[] = [];
    client.subscribe(
      { query, variables },
      {
        next: (value) => void received.push({ ...(value as object), at: Date.now() }),
        error: (err) => void failures.push(err),
        complete: () => undefined,
      },
    );
    return { received, failures };
  }

  function connect(accessToken: string): Client {
    const client = createClient({
      url: stack.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${accessToken}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    return client;
  }

  const metric = async (name: string) => {
    const text = await (await fetch(`${stack.gateway.adminUrl}/metrics`)).text();
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
  };

  it('a client subscribed to two symbols receives their ticks within 1 s and nothing for other symbols; one execution serves every subscriber', async () => {
    const QUERY = `subscription($s: [String!]) { priceUpdated(symbols: $s, quote: IRT) { symbol quote value updatedAt } }`;
    const subs = [];
    for (let i = 0; i < 3; i++) subs.push(subscribe(connect(await token()), QUERY, { s: ['TON', 'USDT_TRON'] }));
    const other = subscribe(connect(await token()), QUERY, { s: ['ETH'] });
    await new Promise((r) => setTimeout(r, 300)); // graphql-ws has no "subscribed" acknowledgement
    const executionsBefore = await metric('live_fanout_executions_total');

    const started = Date.now();
    const round = await market.feed.refresh(); // publishes market.price.updated for every pair that moved
    expect(round.published).toBe(10);
    const expected = (coin: string) =>
      formatDecimal(round.prices.find((p) => p.coin === coin && p.quote === 'IRT')!.value);
    for (const sub of subs) {
      await until(() => sub.received.length >= 2);
      for (const r of sub.received) expect(r.at - started).toBeLessThan(1000);
      expect(
        sub.received
          .map((r) => r.data?.priceUpdated)
          .sort((a, b) => String(a?.symbol).localeCompare(String(b?.symbol))),
      ).toEqual([
        { symbol: 'TON', quote: 'IRT', value: expected('TON'), updatedAt: expect.any(String) },
        { symbol: 'USDT_TRON', quote: 'IRT', value: expected('USDT'), updatedAt: expect.any(String) },
      ]);
      expect(sub.failures).toEqual([]);
    }
    await until(() => other.received.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    for (const sub of subs) expect(sub.received).toHaveLength(2); // nothing for ETH, BNB, TRX, the other USDTs or USD
    expect(other.received.map((r) => r.data?.priceUpdated?.symbol)).toEqual(['ETH']);
    // TON, USDT_TRON (the three sockets share them) and ETH: three executions for four sockets and five frames
    expect((await metric('live_fanout_executions_total')) - executionsBefore).toBe(3);
  });

  it('refuses a symbol without a market price, with the shield and limits applied as for any operation', async () => {
    const client = connect(await token());
    const bad = subscribe(client, `subscription { priceUpdated(symbols: ["IRT", "DOGE"]) { value } }`);
    await until(() => bad.failures.length === 1);
    expect(JSON.stringify(bad.failures)).toContain('BAD_USER_INPUT');
    const invalid = subscribe(client, `subscription { priceUpdated { value nope } }`);
    await until(() => invalid.failures.length === 1);
    expect(JSON.stringify(invalid.failures)).toContain('GRAPHQL_VALIDATION_FAILED');
  });
});

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
