import type { Logger } from 'pino';
import { createHttpClient, type HttpClient } from '../http/http.client.js';
import { ProviderParseError, ProviderResponseError } from '../http/http.errors.js';
import { parseBody } from '../http/json.schemas.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';
import {
  decimalTextToMinor,
  minorToDecimalText,
  VoucherProviderRefusedError,
  type CallOptions,
  type CreatedVoucher,
  type CreationLookup,
  type ProviderBalance,
  type Redemption,
  type Validation,
  type VoucherCurrency,
  type VoucherMoney,
  type VoucherProvider,
  type VoucherType,
} from '../voucher-provider.port.js';
import {
  createdBody,
  errorCodeOf,
  PROVIDER,
  transactionBody,
  UWALLET_ERRORS,
  useBody,
  walletBody,
} from './uwallet.wire.js';

export const UWALLET_BASE_URL = 'https://api.uwallet.biz';

/** A coin uWallet resells, and the unit its amounts are in on the wire. */
export interface UwalletCoin {
  /** uWallet's coin name (`HotVoucher`; PS Voucher's code comes from configuration). */
  coin: string;
  /** `IRR`: amounts on the wire are Rial and cross our port as Toman (÷10, refusing a remainder); `USD`: dollars. */
  wireUnit: 'IRR' | 'USD';
}

export interface UwalletClientOptions {
  baseUrl: string;
  /** The reseller token, sent as `authorization: <token>`. Never logged. */
  token: string;
  /** Which of our voucher types this account sells, and under which coin. */
  coins: Partial<Record<VoucherType, UwalletCoin>>;
  resilience?: ResilienceOptions;
  log?: Logger;
}

/**
 * One attempt of a create or use may move money, so those are never retried (the caller resolves a lost answer by
 * lookup); reads (transaction, wallet) are retried. 10 s per attempt: uWallet creates vouchers synchronously.
 */
export const UWALLET_RESILIENCE = resilienceDefaults({ timeoutMs: 10_000 });

/** Rial on the wire → Toman; a Rial amount not divisible by 10 is refused (a parse error: we never round money). */
function fromWire(text: string, coin: UwalletCoin): VoucherMoney | null {
  if (coin.wireUnit === 'USD') {
    const cents = decimalTextToMinor(text, 2);
    return cents === null ? null : { currency: 'USD', minor: cents };
  }
  const rial = decimalTextToMinor(text, 0);
  if (rial === null || rial % 10n !== 0n) return null;
  return { currency: 'IRT', minor: rial / 10n };
}

function toWire(amount: VoucherMoney, coin: UwalletCoin): string {
  const expected: VoucherCurrency = coin.wireUnit === 'USD' ? 'USD' : 'IRT';
  if (amount.currency !== expected)
    throw new RangeError(`${coin.coin} is priced in ${expected}, not ${amount.currency}`);
  return coin.wireUnit === 'USD' ? minorToDecimalText(amount.minor, 2) : (amount.minor * 10n).toString();
}

const STATES = { confirm: 'CONFIRMED', pending: 'PENDING', reject: 'REJECTED' } as const;

export interface UwalletVoucherProvider extends VoucherProvider {
  readonly http: HttpClient;
}

export function createUwalletProvider(options: UwalletClientOptions): UwalletVoucherProvider {
  if (!options.token) throw new Error('uwallet: token is required');
  const log = options.log?.child({ provider: PROVIDER });
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: options.baseUrl,
    ...UWALLET_RESILIENCE,
    ...options.resilience,
    headers: { authorization: options.token },
    ...(log ? { log } : {}),
  });

  const coinOf = (type: VoucherType): UwalletCoin => {
    const coin = options.coins[type];
    if (!coin) throw new Error(`uwallet: no coin configured for ${type}`);
    return coin;
  };

  /** A numbered refusal in a non-2xx answer becomes a definite refusal; anything else stays as it was. */
  const mapError = (error: unknown): unknown => {
    if (error instanceof ProviderResponseError && error.status < 500) {
      const code = errorCodeOf(error.bodySnippet, error.status);
      const known = code === null ? undefined : UWALLET_ERRORS[code];
      if (known) return new VoucherProviderRefusedError(PROVIDER, known.refusal, String(code));
      if (error.status === 401 || error.status === 403)
        return new VoucherProviderRefusedError(PROVIDER, 'PROVIDER_SETUP', `HTTP ${error.status}`);
    }
    return error;
  };

  const redemptionOf = (
    body: { status: 'confirm' | 'pending' | 'reject'; transactionId: string | number; receive?: string | undefined },
    coin: UwalletCoin,
    text: string,
  ): Redemption => {
    const amount = body.receive === undefined ? null : fromWire(body.receive, coin);
    if (body.receive !== undefined && amount === null)
      throw new ProviderParseError(PROVIDER, `receive ${body.receive} is not an exact ${coin.wireUnit} amount`, text);
    const state = STATES[body.status];
    return {
      state,
      providerReference: String(body.transactionId),
      amount,
      reason: state === 'REJECTED' ? 'INVALID_CODE' : null,
    };
  };

  const provider: UwalletVoucherProvider = {
    name: PROVIDER,
    http,

    async create(type, amount, opts: CallOptions = {}): Promise<CreatedVoucher> {
      const coin = coinOf(type);
      try {
        const res = await http.post(
          '/v1/voucher',
          { coin: coin.coin, amount: toWire(amount, coin) },
          {
            // The body holds the voucher code: a mismatch must not copy it into the error.
            decode: (data) => parseBody(PROVIDER, createdBody, data, '[voucher body withheld]'),
            ...(opts.signal ? { signal: opts.signal } : {}),
          },
        );
        log?.info({ coin: coin.coin, transactionId: String(res.data.transactionId) }, 'voucher created');
        return { code: res.data.code, providerReference: String(res.data.transactionId), amount };
      } catch (error) {
        throw mapError(error);
      }
    },

    async lookupCreation(type, query, opts: CallOptions = {}): Promise<CreationLookup> {
      coinOf(type);
      if (query.providerReference === null)
        return {
          found: 'unknown',
          why: 'uWallet takes no client reference on POST /v1/voucher: a creation whose answer was lost cannot be found',
        };
      // A transaction row carries no voucher code (as transcribed): the code comes only with the creation's answer.
      const res = await http.get('/v1/transaction', {
        query: { id: query.providerReference },
        decode: (data, raw) => parseBody(PROVIDER, transactionBody, data, raw.text),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const rows = Array.isArray(res.data) ? res.data : res.data.data;
      if (rows.length === 0) return { found: false };
      return { found: 'unknown', why: 'the transaction exists but uWallet does not return its voucher code' };
    },

    async redeem(type, code, opts: CallOptions = {}): Promise<Redemption> {
      const coin = coinOf(type);
      try {
        const res = await http.post(
          '/v1/voucher/use',
          { coin: coin.coin, code },
          {
            decode: (data, raw) => redemptionOf(parseBody(PROVIDER, useBody, data, raw.text), coin, raw.text),
            ...(opts.signal ? { signal: opts.signal } : {}),
          },
        );
        log?.info(
          { coin: coin.coin, transactionId: res.data.providerReference, state: res.data.state },
          'voucher used',
        );
        return res.data;
      } catch (error) {
        const mapped = mapError(error);
        if (mapped instanceof VoucherProviderRefusedError && mapped.reason !== 'PROVIDER_SETUP')
          return { state: 'REJECTED', providerReference: null, amount: null, reason: mapped.reason };
        throw mapped;
      }
    },

    async redemptionStatus(type, providerReference, opts: CallOptions = {}): Promise<Redemption> {
      const coin = coinOf(type);
      const res = await http.get('/v1/transaction', {
        query: { id: providerReference },
        decode: (data, raw) => {
          const body = parseBody(PROVIDER, transactionBody, data, raw.text);
          const row = (Array.isArray(body) ? body : body.data)[0];
          if (!row) throw new ProviderResponseError(PROVIDER, 404, raw.text, `no transaction ${providerReference}`);
          const status = row.status === 'confirm' || row.status === 'reject' ? row.status : 'pending';
          return redemptionOf({ status, transactionId: providerReference, receive: row.receive }, coin, raw.text);
        },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return res.data;
    },

    validate(): Promise<Validation> {
      return Promise.resolve({
        supported: false,
        why: 'uWallet offers no check without using the code: validation happens at redemption',
      });
    },

    async balances(opts: CallOptions = {}): Promise<ProviderBalance[]> {
      const res = await http.get('/v1/wallet', {
        decode: (data, raw) => parseBody(PROVIDER, walletBody, data, raw.text),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const rows = Array.isArray(res.data) ? res.data : res.data.data;
      const out: ProviderBalance[] = [];
      for (const coin of Object.values(options.coins)) {
        const row = rows.find((r) => r.coin === coin.coin);
        const free = row ? fromWire(row.free, coin) : { currency: coin.wireUnit === 'USD' ? 'USD' : 'IRT', minor: 0n };
        if (!free) throw new ProviderParseError(PROVIDER, `free ${row?.free} of ${coin.coin} is not exact`, '');
        if (!out.some((b) => b.asset === coin.coin))
          out.push({ asset: coin.coin, currency: free.currency as VoucherCurrency, available: free.minor });
      }
      return out;
    },
  };
  return provider;
}
