import type { ServerResponse } from 'node:http';
import { jsonNumber, stringifyJsonLossless } from '../../providers/http/json-lossless.stringify.js';
import type { LosslessJsonValue } from '../../providers/http/json-lossless.parser.js';
import { formatDecimal, parseDecimal, type ScaledDecimal } from '../../providers/http/scaled-decimal.js';
import {
  createFailureSwitch,
  type FailureSpec,
  type ProviderSimulator,
  type SimulatorOptions,
} from '../http/simulator.failures.js';
import { createRandomWalk, percentChange, seededRandom } from '../http/simulator.random-walk.js';
import { sendJson, startSimulatorServer } from '../http/simulator.server.js';
import { COINGECKO_IDS, COINGECKO_KEY_HEADER } from '../../providers/coingecko/coingecko.client.js';

/**
 * Serves CoinGecko's /simple/price and /coins/{id}/market_chart in the documented JSON shapes, with seeded
 * random-walk USD prices (one step per /simple/price request) and injectable failures rendered as CoinGecko
 * renders them (429 + Retry-After + `{"status":{"error_code":429,…}}`).
 */
export interface CoinGeckoSimulatorOptions extends SimulatorOptions {
  /** When set, requests must carry this key in x-cg-demo-api-key or x-cg-pro-api-key (else 401, error 10002). */
  apiKey?: string;
}

export interface CoinGeckoSimulator extends ProviderSimulator {
  /** Current simulated USD price per CoinGecko id, as exact decimal text. */
  prices(): Record<string, string>;
}

const START_USD: Record<string, string> = {
  'the-open-network': '5.21834712',
  tether: '1.00021',
  tron: '0.12345678',
  ethereum: '3512.48291034',
  binancecoin: '598.71234512',
};

const KNOWN_IDS = new Set(Object.values(COINGECKO_IDS));

const num = (d: ScaledDecimal) => jsonNumber(formatDecimal(d));

function sendError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { status: { error_code: code, error_message: message } }, headers);
}

function renderFailure(res: ServerResponse, failure: FailureSpec): boolean {
  switch (failure.mode) {
    case 'hang':
      return true; // never answer
    case 'rate-limit': {
      const seconds = failure.retryAfterSeconds ?? 1;
      sendError(
        res,
        429,
        429,
        "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits.",
        { 'retry-after': String(seconds) },
      );
      return true;
    }
    case 'server-error':
      sendJson(res, 500, { error: 'Internal Server Error' });
      return true;
    case 'malformed-json':
      sendJson(res, 200, '{"tether":{"usd":1.0002,"usd_24h_change":');
      return true;
  }
}

export async function startCoinGeckoSimulator(options: CoinGeckoSimulatorOptions = {}): Promise<CoinGeckoSimulator> {
  const random = seededRandom(options.seed ?? 1);
  const walk = createRandomWalk({
    start: Object.fromEntries(Object.entries(START_USD).map(([id, text]) => [id, parseDecimal(text)])),
    volatility: options.volatility ?? 0.005,
    volatilityScale: { tether: 0.02 },
    random,
  });
  const failures = createFailureSwitch(options.failMode ?? null);
  let requests = 0;

  const server = await startSimulatorServer(
    (req, res, url) => {
      requests += 1;
      const failure = failures.take();
      if (failure && renderFailure(res, failure)) return;

      if (options.apiKey !== undefined) {
        const given = req.headers[COINGECKO_KEY_HEADER.demo] ?? req.headers[COINGECKO_KEY_HEADER.pro];
        if (given !== options.apiKey) {
          sendError(res, 401, 10002, 'API Key Missing');
          return;
        }
      }

      if (req.method === 'GET' && url.pathname === '/simple/price') {
        const vs = (url.searchParams.get('vs_currencies') ?? '').split(',').filter(Boolean);
        if (vs.length === 0) {
          sendError(res, 400, 400, 'Missing parameter vs_currencies');
          return;
        }
        const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
        const withChange = url.searchParams.get('include_24hr_change') === 'true';
        const withUpdated = url.searchParams.get('include_last_updated_at') === 'true';
        const prices = walk.step();
        const opening = walk.opening();
        const nowSeconds = Math.floor(Date.now() / 1000);
        const body: Record<string, LosslessJsonValue> = {};
        for (const id of ids) {
          const price = prices[id];
          const open = opening[id];
          if (!price || !open) continue; // unknown ids are absent, as on CoinGecko
          const entry: Record<string, LosslessJsonValue> = {};
          if (vs.includes('usd')) {
            entry.usd = num(price);
            if (withChange) entry.usd_24h_change = num(percentChange(open, price, 10));
          }
          if (withUpdated) entry.last_updated_at = jsonNumber(String(nowSeconds));
          body[id] = entry;
        }
        sendJson(res, 200, stringifyJsonLossless(body));
        return;
      }

      const chart = /^\/coins\/([^/]+)\/market_chart$/.exec(url.pathname);
      if (req.method === 'GET' && chart) {
        const id = decodeURIComponent(chart[1] ?? '');
        const price = walk.current()[id];
        if (!KNOWN_IDS.has(id) || !price) {
          sendJson(res, 404, { error: 'coin not found' });
          return;
        }
        if (url.searchParams.get('vs_currency') !== 'usd') {
          sendError(res, 400, 400, 'invalid vs_currency');
          return;
        }
        const daysParam = url.searchParams.get('days') ?? '';
        const days = daysParam === 'max' ? 365 : Number(daysParam);
        if (!Number.isFinite(days) || days <= 0) {
          sendError(res, 400, 400, 'invalid days');
          return;
        }
        const stepMs =
          url.searchParams.get('interval') === 'daily' || days > 90 ? 86_400_000 : days <= 1 ? 300_000 : 3_600_000;
        const end = Date.now();
        const count = Math.min(Math.floor((days * 86_400_000) / stepMs), 2_000);
        // Walk backwards from the current price so the last point equals the live price.
        const history = createRandomWalk({ start: { p: price }, volatility: options.volatility ?? 0.005, random });
        const points: Array<[number, ScaledDecimal, ScaledDecimal]> = [];
        for (let i = 0; i <= count; i += 1) {
          const p = i === 0 ? price : (history.step().p ?? price);
          const volume = { value: BigInt(Math.floor(random() * 1e12)) + 1_000_000_000n, scale: 4 };
          points.unshift([end - i * stepMs, p, volume]);
        }
        const supply = 1_000_000n;
        sendJson(
          res,
          200,
          stringifyJsonLossless({
            prices: points.map(([t, p]) => [jsonNumber(String(t)), num(p)]),
            market_caps: points.map(([t, p]) => [
              jsonNumber(String(t)),
              num({ value: p.value * supply, scale: p.scale }),
            ]),
            total_volumes: points.map(([t, , v]) => [jsonNumber(String(t)), num(v)]),
          }),
        );
        return;
      }

      sendJson(res, 404, { error: 'Not Found' });
    },
    { port: options.port },
  );

  return {
    url: server.url,
    close: server.close,
    setFailure: failures.set,
    requestCount: () => requests,
    prices: () => Object.fromEntries(Object.entries(walk.current()).map(([id, d]) => [id, formatDecimal(d)])),
  };
}
