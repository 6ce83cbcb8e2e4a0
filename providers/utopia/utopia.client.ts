import type { Logger } from 'pino';
import { createHttpClient, type HttpClient } from '../http/http.client.js';
import { ProviderParseError, ProviderResponseError } from '../http/http.errors.js';
import { parseBody } from '../http/json.schemas.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';
import {
  decimalTextToMinor,
  minorToDecimalText,
  VOUCHER_CURRENCY_DECIMALS,
  VoucherProviderRefusedError,
  type CallOptions,
  type CreatedVoucher,
  type CreationLookup,
  type ProviderBalance,
  type Redemption,
  type Validation,
  type VoucherMoney,
  type VoucherProvider,
  type VoucherRefusal,
  type VoucherType,
} from '../voucher-provider.port.js';
import { envelope, financeInfo, historyRow, PROVIDER } from './utopia.wire.js';

export interface UtopiaClientOptions {
  /** `http://<host>:<port>` of the Utopia client's API (its default port is 20000); `/api/1.0/` is appended. */
  baseUrl: string;
  /** The API token configured in the Utopia client. Sent in the body, never logged. */
  token: string;
  resilience?: ResilienceOptions;
  log?: Logger;
}

/** Utopia's two voucher currencies: UUSD (USD cents on our side) and Crypton. */
const CURRENCY: Partial<Record<VoucherType, { wire: 'UUSD' | 'CRP'; balance: 'USD' | null; ours: 'USD' | 'CRP' }>> = {
  UTOPIA_UUSD: { wire: 'UUSD', balance: 'USD', ours: 'USD' },
  UTOPIA_CRP: { wire: 'CRP', balance: null, ours: 'CRP' },
};

/** A createVoucher/useVoucher may move money: one attempt; reads are retried. 10 s per attempt. */
export const UTOPIA_RESILIENCE = resilienceDefaults({ timeoutMs: 10_000 });

/** The Utopia client's error texts are not specified; these patterns are inferred from its wording. */
function refusalOf(text: string, op: 'create' | 'use'): VoucherRefusal {
  if (/already|used|activated/i.test(text)) return 'ALREADY_USED';
  if (/insufficient|not enough|balance/i.test(text)) return 'INSUFFICIENT_PROVIDER_BALANCE';
  if (/amount|minimum|maximum|limit/i.test(text)) return 'AMOUNT_OUT_OF_RANGE';
  if (/token|disabled|permission/i.test(text)) return 'PROVIDER_SETUP';
  return op === 'use' ? 'INVALID_CODE' : 'PROVIDER_SETUP';
}

export interface UtopiaVoucherProvider extends VoucherProvider {
  readonly http: HttpClient;
}

export function createUtopiaProvider(options: UtopiaClientOptions): UtopiaVoucherProvider {
  if (!options.token) throw new Error('utopia: token is required');
  const log = options.log?.child({ provider: PROVIDER });
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: `${options.baseUrl.replace(/\/+$/, '')}/api/1.0`,
    ...UTOPIA_RESILIENCE,
    ...options.resilience,
    ...(log ? { log } : {}),
  });

  /**
   * One JSON-API call. `{ error }` becomes a `ProviderResponseError` with status 400 (not retried, not counted
   * against the circuit) carrying the error text only; `withhold` keeps a body holding a voucher code out of errors.
   */
  const call = async <T>(
    method: string,
    params: Record<string, unknown>,
    decode: (result: unknown) => T,
    opts: CallOptions & { idempotent: boolean; withhold?: boolean },
  ): Promise<T> => {
    const res = await http.request({
      method: 'POST',
      path: '/',
      json: { method, token: options.token, params },
      idempotent: opts.idempotent,
      decode: (data, raw) => {
        const shown = opts.withhold ? '[voucher body withheld]' : raw.text;
        const body = parseBody(PROVIDER, envelope, data, shown);
        if ('error' in body) {
          const text = String(body.error);
          throw new ProviderResponseError(PROVIDER, 400, text, text);
        }
        return decode(body.result);
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return res.data;
  };

  const currencyOf = (type: VoucherType) => {
    const c = CURRENCY[type];
    if (!c) throw new Error(`utopia: ${type} is not a Utopia voucher`);
    return c;
  };

  const moneyOf = (text: string, ours: 'USD' | 'CRP'): VoucherMoney => {
    const minor = decimalTextToMinor(text, VOUCHER_CURRENCY_DECIMALS[ours]);
    if (minor === null) throw new ProviderParseError(PROVIDER, `amount ${text} is not an exact ${ours} amount`, '');
    return { currency: ours, minor };
  };

  const history = (wire: 'UUSD' | 'CRP', params: Record<string, unknown>, opts: CallOptions) =>
    call(
      'getFinanceHistory',
      { currency: wire, filters: 'ALL_VOUCHERS', ...params },
      (result) => parseBody(PROVIDER, historyRow.array(), result, '[history withheld]'),
      { ...opts, idempotent: true, withhold: true },
    );

  const refused = (error: unknown, op: 'create' | 'use'): unknown =>
    error instanceof ProviderResponseError && error.status === 400
      ? new VoucherProviderRefusedError(PROVIDER, refusalOf(error.bodySnippet, op), error.bodySnippet.slice(0, 120))
      : error;

  return {
    name: PROVIDER,
    http,

    async create(type, amount, opts: CallOptions = {}): Promise<CreatedVoucher> {
      const { wire, ours } = currencyOf(type);
      if (amount.currency !== ours) throw new RangeError(`${type} is priced in ${ours}, not ${amount.currency}`);
      const text = minorToDecimalText(amount.minor, VOUCHER_CURRENCY_DECIMALS[ours]);
      let reference: string;
      try {
        reference = await call('createVoucher', { amount: Number(text), currency: wire }, (r) => String(r), {
          ...opts,
          idempotent: false,
        });
      } catch (error) {
        throw refused(error, 'create');
      }
      if (!reference) throw new ProviderParseError(PROVIDER, 'createVoucher returned no reference number', '');
      log?.info({ currency: wire, referenceNumber: reference }, 'voucher created');
      // The code is read back from the history by the reference number (the SDK's way).
      const rows = await history(wire, { referenceNumber: reference }, opts);
      const row = rows.find((r) => r.referenceNumber === reference && r.voucherid);
      if (!row?.voucherid) throw new ProviderParseError(PROVIDER, `voucher ${reference} missing from the history`, '');
      return { code: row.voucherid, providerReference: reference, amount: moneyOf(row.amount, ours) };
    },

    async lookupCreation(type, query, opts: CallOptions = {}): Promise<CreationLookup> {
      const { wire, ours } = currencyOf(type);
      const amountText = minorToDecimalText(query.amount.minor, VOUCHER_CURRENCY_DECIMALS[ours]);
      const rows = await history(
        wire,
        query.providerReference
          ? { referenceNumber: query.providerReference }
          : { fromDate: query.since.toISOString(), fromAmount: amountText, toAmount: amountText },
        opts,
      );
      const matches = rows.filter(
        (r) => r.voucherid && (!query.providerReference || r.referenceNumber === query.providerReference),
      );
      if (matches.length === 0) return { found: false };
      if (matches.length > 1)
        return {
          found: 'unknown',
          why: `${matches.length} vouchers of this amount since the purchase: staff must match`,
        };
      const row = matches[0]!;
      return {
        found: true,
        voucher: { code: row.voucherid!, providerReference: row.referenceNumber, amount: moneyOf(row.amount, ours) },
      };
    },

    async redeem(type, code, opts: CallOptions = {}): Promise<Redemption> {
      currencyOf(type);
      try {
        const reference = await call('useVoucher', { voucherid: code }, (r) => String(r), {
          ...opts,
          idempotent: false,
        });
        log?.info({ referenceNumber: reference }, 'voucher used');
        return { state: 'CONFIRMED', providerReference: reference || null, amount: null, reason: null };
      } catch (error) {
        const mapped = refused(error, 'use');
        if (mapped instanceof VoucherProviderRefusedError && mapped.reason !== 'PROVIDER_SETUP')
          return { state: 'REJECTED', providerReference: null, amount: null, reason: mapped.reason };
        throw mapped;
      }
    },

    async redemptionStatus(type, providerReference, opts: CallOptions = {}): Promise<Redemption> {
      const { wire, ours } = currencyOf(type);
      const rows = await history(wire, { referenceNumber: providerReference }, opts);
      const row = rows.find((r) => r.referenceNumber === providerReference);
      return row
        ? { state: 'CONFIRMED', providerReference, amount: moneyOf(row.amount, ours), reason: null }
        : { state: 'PENDING', providerReference, amount: null, reason: null };
    },

    validate(): Promise<Validation> {
      return Promise.resolve({
        supported: false,
        why: 'the Utopia API offers no voucher check without using it: validation happens at redemption',
      });
    },

    async balances(opts: CallOptions = {}): Promise<ProviderBalance[]> {
      const info = await call('getFinanceSystemInformation', {}, (r) => parseBody(PROVIDER, financeInfo, r, ''), {
        ...opts,
        idempotent: true,
      });
      const read = async (currency: 'USD' | null) =>
        call('getBalance', currency ? { currency } : {}, (r) => String(r), { ...opts, idempotent: true });
      const [uusd, crp] = await Promise.all([read('USD'), read(null)]);
      const usd = moneyOf(roundDown(uusd, 2), 'USD');
      const crypton = moneyOf(roundDown(crp, 8), 'CRP');
      return [
        { asset: 'UUSD', currency: 'USD', available: info.USD.vouchersCreateEnabled ? usd.minor : 0n },
        { asset: 'CRP', currency: 'CRP', available: info.CRP.vouchersCreateEnabled ? crypton.minor : 0n },
      ];
    },
  };
}

/** A balance is what we may spend: cut (never round up) extra digits. */
function roundDown(text: string, decimals: number): string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return text;
  return match[2] ? `${match[1]}.${match[2].slice(0, decimals)}` : match[1]!;
}
