import type { ServerResponse } from 'node:http';
import type { LosslessJsonValue } from '../../providers/http/json-lossless.parser.js';
import { jsonNumber, stringifyJsonLossless } from '../../providers/http/json-lossless.stringify.js';
import { formatDecimal, parseDecimal, type ScaledDecimal } from '../../providers/http/scaled-decimal.js';
import {
  createFailureSwitch,
  type FailureSpec,
  type ProviderSimulator,
  type SimulatorOptions,
} from '../http/simulator.failures.js';
import { createRandomWalk, percentChange, seededRandom } from '../http/simulator.random-walk.js';
import { sendJson, startSimulatorServer } from '../http/simulator.server.js';
import { COINMARKETCAP_KEY_HEADER } from '../../providers/coinmarketcap/coinmarketcap.client.js';
import { CMC_ERROR } from '../../providers/coinmarketcap/coinmarketcap.wire.js';

/**
 * Serves CoinMarketCap's GET /v2/cryptocurrency/quotes/latest in the documented envelope (`status` + `data`), by
 * `id` (object per id) or `symbol` (array per symbol, including a second, unrelated "TON" coin as on CMC), with
 * seeded random-walk USD prices (one step per request), the X-CMC_PRO_API_KEY check (401, 1001/1002) and failures
 * rendered as CoinMarketCap does (429 with `status.error_code` 1008).
 */
export interface CoinMarketCapSimulatorOptions extends SimulatorOptions {
  /** Key the simulator accepts. Default: any non-empty key. */
  apiKey?: string;
}

export interface CoinMarketCapSimulator extends ProviderSimulator {
  /** Current simulated USD price per CoinMarketCap id, as exact decimal text. */
  prices(): Record<number, string>;
}

interface SimCoin {
  id: number;
  name: string;
  symbol: string;
  slug: string;
  rank: number;
  start: string;
}

const COINS: SimCoin[] = [
  { id: 1027, name: 'Ethereum', symbol: 'ETH', slug: 'ethereum', rank: 2, start: '3512.48291034' },
  { id: 825, name: 'Tether USDt', symbol: 'USDT', slug: 'tether', rank: 3, start: '1.00018' },
  { id: 1839, name: 'BNB', symbol: 'BNB', slug: 'bnb', rank: 5, start: '598.70012345' },
  { id: 1958, name: 'TRON', symbol: 'TRX', slug: 'tron', rank: 10, start: '0.1234912' },
  { id: 11419, name: 'Toncoin', symbol: 'TON', slug: 'toncoin', rank: 12, start: '5.2199123' },
  // A different coin sharing the symbol, so symbol lookups return two entries as on CoinMarketCap.
  { id: 6731, name: 'Tokamak Network', symbol: 'TON', slug: 'tokamak-network', rank: 900, start: '1.7123' },
];

const statusJson = (code: number, message: string | null, credits = 0): LosslessJsonValue => ({
  timestamp: new Date().toISOString(),
  error_code: jsonNumber(String(code)),
  error_message: message,
  elapsed: jsonNumber('1'),
  credit_count: jsonNumber(String(credits)),
  notice: null,
});

function sendStatus(res: ServerResponse, http: number, code: number, message: string): void {
  sendJson(res, http, stringifyJsonLossless({ status: statusJson(code, message) }));
}

function renderFailure(res: ServerResponse, failure: FailureSpec): void {
  switch (failure.mode) {
    case 'hang':
      return;
    case 'rate-limit':
      sendStatus(
        res,
        429,
        CMC_ERROR.MINUTE_RATE_LIMIT,
        "You've exceeded your API Key's HTTP request rate limit. Rate limits reset every minute.",
      );
      return;
    case 'server-error':
      sendStatus(res, 500, 500, 'An internal server error occurred');
      return;
    case 'malformed-json':
      sendJson(res, 200, '{"status":{"error_code":0},"data":{"825":{"id":825,"quote":{"USD":{"price":1.00');
      return;
  }
}

const num = (d: ScaledDecimal) => jsonNumber(formatDecimal(d));

export async function startCoinMarketCapSimulator(
  options: CoinMarketCapSimulatorOptions = {},
): Promise<CoinMarketCapSimulator> {
  const random = seededRandom(options.seed ?? 1);
  const walk = createRandomWalk({
    start: Object.fromEntries(COINS.map((c) => [String(c.id), parseDecimal(c.start)])),
    volatility: options.volatility ?? 0.005,
    volatilityScale: { '825': 0.02 },
    random,
  });
  const failures = createFailureSwitch(options.failMode ?? null);
  let requests = 0;

  const render = (
    c: SimCoin,
    prices: Record<string, ScaledDecimal>,
    opening: Record<string, ScaledDecimal>,
  ): LosslessJsonValue => {
    const price = prices[String(c.id)] as ScaledDecimal;
    const open = opening[String(c.id)] as ScaledDecimal;
    const updated = new Date().toISOString();
    return {
      id: jsonNumber(String(c.id)),
      name: c.name,
      symbol: c.symbol,
      slug: c.slug,
      is_active: jsonNumber('1'),
      is_fiat: jsonNumber('0'),
      cmc_rank: jsonNumber(String(c.rank)),
      num_market_pairs: jsonNumber('1200'),
      tags: [],
      platform: null,
      last_updated: updated,
      quote: {
        USD: {
          price: num(price),
          volume_24h: jsonNumber('12345678901.234567'),
          volume_change_24h: jsonNumber('-3.1'),
          percent_change_1h: jsonNumber('0.05'),
          percent_change_24h: num(percentChange(open, price, 8)),
          percent_change_7d: jsonNumber('1.5'),
          market_cap: num({ value: price.value * 1_000_000_000n, scale: price.scale }),
          last_updated: updated,
        },
      },
    };
  };

  const server = await startSimulatorServer(
    (req, res, url) => {
      requests += 1;
      const failure = failures.take();
      if (failure) return renderFailure(res, failure);

      const key = req.headers[COINMARKETCAP_KEY_HEADER.toLowerCase()];
      if (typeof key !== 'string' || key === '')
        return sendStatus(res, 401, CMC_ERROR.API_KEY_MISSING, 'API key missing.');
      if (options.apiKey !== undefined && key !== options.apiKey) {
        return sendStatus(res, 401, CMC_ERROR.API_KEY_INVALID, 'This API Key is invalid.');
      }
      if (req.method !== 'GET' || url.pathname !== '/v2/cryptocurrency/quotes/latest') {
        return sendStatus(res, 404, 404, 'Not found');
      }
      const convert = url.searchParams.get('convert') ?? 'USD';
      if (convert !== 'USD') return sendStatus(res, 400, 400, `Invalid value for "convert": "${convert}"`);
      const skipInvalid = url.searchParams.get('skip_invalid') === 'true';
      const idParam = url.searchParams.get('id');
      const symbolParam = url.searchParams.get('symbol');
      if (!idParam && !symbolParam)
        return sendStatus(res, 400, 400, '"value" must contain at least one of [id, symbol, slug]');

      const prices = walk.step();
      const opening = walk.opening();
      const data: Record<string, LosslessJsonValue> = {};
      if (idParam) {
        for (const id of idParam.split(',')) {
          const c = COINS.find((coin) => String(coin.id) === id);
          if (!c) {
            if (skipInvalid) continue;
            return sendStatus(res, 400, 400, `Invalid value for "id": "${id}"`);
          }
          data[id] = render(c, prices, opening);
        }
      } else if (symbolParam) {
        for (const symbol of symbolParam.split(',')) {
          const matches = COINS.filter((coin) => coin.symbol === symbol.toUpperCase());
          if (matches.length === 0 && !skipInvalid)
            return sendStatus(res, 400, 400, `Invalid value for "symbol": "${symbol}"`);
          if (matches.length > 0) data[symbol.toUpperCase()] = matches.map((c) => render(c, prices, opening));
        }
      }
      sendJson(res, 200, stringifyJsonLossless({ status: statusJson(0, null, 1), data }));
    },
    { port: options.port },
  );

  return {
    url: server.url,
    close: server.close,
    setFailure: failures.set,
    requestCount: () => requests,
    prices: () => Object.fromEntries(Object.entries(walk.current()).map(([id, d]) => [Number(id), formatDecimal(d)])),
  };
}
