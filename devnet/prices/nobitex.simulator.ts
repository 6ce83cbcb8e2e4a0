import type { ServerResponse } from 'node:http';
import { formatDecimal, parseDecimal, type ScaledDecimal } from '../../providers/http/scaled-decimal.js';
import {
  createFailureSwitch,
  type FailureSpec,
  type ProviderSimulator,
  type SimulatorOptions,
} from '../http/simulator.failures.js';
import { createRandomWalk, percentChange, seededRandom } from '../http/simulator.random-walk.js';
import { sendJson, startSimulatorServer } from '../http/simulator.server.js';
import { NOBITEX_CURRENCIES, NOBITEX_RIAL } from '../../providers/nobitex/nobitex.client.js';

/**
 * Serves Nobitex's GET /market/stats in the documented shape (`{ status: "ok", stats: { "ton-rls": {…} } }`,
 * prices as strings in integer Rial), with seeded random-walk prices (one step per request) and failures rendered
 * as Nobitex does (429 `{ status: "failed", code: "TooManyRequests", backOff, limit }`).
 */
export interface NobitexSimulatorOptions extends SimulatorOptions {
  /** Markets reported as closed (`isClosed: true`, no prices), e.g. ['trx']. */
  closedMarkets?: string[];
}

export interface NobitexSimulator extends ProviderSimulator {
  /** Current simulated `latest` price per market ("ton-rls"), in Rial, as served. */
  prices(): Record<string, string>;
  /** Opens or closes a market (as Nobitex does during maintenance). */
  setMarketClosed(currency: string, closed: boolean): void;
}

/** Integer Rial, around 100,000 Toman per USDT. */
const START_RIAL: Record<string, string> = {
  ton: '5278431',
  usdt: '1015347',
  trx: '125311',
  eth: '3565123457',
  bnb: '607711239',
};

const STATS_LIMIT_PER_MINUTE = 20;

function renderFailure(res: ServerResponse, failure: FailureSpec): void {
  switch (failure.mode) {
    case 'hang':
      return;
    case 'rate-limit': {
      const seconds = failure.retryAfterSeconds ?? 1;
      sendJson(res, 429, {
        status: 'failed',
        code: 'TooManyRequests',
        message: `تعداد درخواست شما بیش از حد معمول تشخیص داده شده. لطفا ${seconds} ثانیه صبر نمایید.`,
        backOff: seconds,
        limit: STATS_LIMIT_PER_MINUTE,
      });
      return;
    }
    case 'server-error':
      sendJson(res, 500, { status: 'failed', code: 'InternalServerError', message: 'Internal Server Error' });
      return;
    case 'malformed-json':
      sendJson(res, 200, '{"status":"ok","stats":{"usdt-rls":{"isClosed":false,"latest":"10153');
      return;
  }
}

/** Spread around the latest price: bestBuy below, bestSell above, by ~0.1 %. */
const offset = (price: ScaledDecimal, perMille: bigint): string =>
  formatDecimal({ value: price.value + (price.value * perMille) / 1000n, scale: price.scale });

export async function startNobitexSimulator(options: NobitexSimulatorOptions = {}): Promise<NobitexSimulator> {
  const random = seededRandom(options.seed ?? 1);
  const walk = createRandomWalk({
    start: Object.fromEntries(Object.entries(START_RIAL).map(([c, text]) => [c, parseDecimal(text)])),
    volatility: options.volatility ?? 0.005,
    volatilityScale: { usdt: 0.2 },
    random,
  });
  const closed = new Set(options.closedMarkets ?? []);
  const failures = createFailureSwitch(options.failMode ?? null);
  let requests = 0;
  const known = new Set(Object.values(NOBITEX_CURRENCIES));

  const server = await startSimulatorServer(
    (req, res, url) => {
      requests += 1;
      const failure = failures.take();
      if (failure) return renderFailure(res, failure);

      if (req.method !== 'GET' || url.pathname !== '/market/stats') {
        sendJson(res, 404, { status: 'failed', code: 'NotFound', message: 'Not Found' });
        return;
      }
      const src = (url.searchParams.get('srcCurrency') ?? [...known].join(',')).split(',').filter(Boolean);
      const dst = url.searchParams.get('dstCurrency') ?? NOBITEX_RIAL;
      const prices = walk.step();
      const opening = walk.opening();
      const stats: Record<string, Record<string, string | boolean>> = {};
      if (dst === NOBITEX_RIAL) {
        for (const currency of src) {
          const price = prices[currency];
          const open = opening[currency];
          if (!price || !open) continue;
          if (closed.has(currency)) {
            stats[`${currency}-${dst}`] = { isClosed: true, isClosedReason: 'maintenance' };
            continue;
          }
          const low = price.value < open.value ? price : open;
          const high = price.value < open.value ? open : price;
          stats[`${currency}-${dst}`] = {
            isClosed: false,
            bestSell: offset(price, 1n),
            bestBuy: offset(price, -1n),
            volumeSrc: '1234.5678900000',
            volumeDst: '98765432109.8765400000',
            latest: formatDecimal(price),
            mark: formatDecimal(price),
            dayLow: formatDecimal(low),
            dayHigh: formatDecimal(high),
            dayOpen: formatDecimal(open),
            dayClose: formatDecimal(price),
            dayChange: formatDecimal(percentChange(open, price, 2)),
          };
        }
      }
      sendJson(res, 200, { status: 'ok', stats });
    },
    { port: options.port },
  );

  return {
    url: server.url,
    close: server.close,
    setFailure: failures.set,
    requestCount: () => requests,
    prices: () =>
      Object.fromEntries(Object.entries(walk.current()).map(([c, d]) => [`${c}-${NOBITEX_RIAL}`, formatDecimal(d)])),
    setMarketClosed: (currency, isClosed) => {
      if (isClosed) closed.add(currency);
      else closed.delete(currency);
    },
  };
}
