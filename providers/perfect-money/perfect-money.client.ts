import type { Logger } from 'pino';
import { createHttpClient, type HttpClient } from '../http/http.client.js';
import { ProviderParseError } from '../http/http.errors.js';
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
  type VoucherProvider,
  type VoucherRefusal,
} from '../voucher-provider.port.js';
import { hiddenInputs, joinCode, PROVIDER, splitCode } from './perfect-money.wire.js';

export const PERFECT_MONEY_BASE_URL = 'https://perfectmoney.com/acct';

export interface PerfectMoneyClientOptions {
  /** `https://perfectmoney.com/acct` or the devnet simulator. */
  baseUrl: string;
  accountId: string;
  /** The account password. Sent in the form only, never logged. */
  passPhrase: string;
  /** The USD wallet (`U…`) that pays created vouchers and receives activated ones. */
  usdAccount: string;
  resilience?: ResilienceOptions;
  log?: Logger;
}

export const PERFECT_MONEY_RESILIENCE = resilienceDefaults({ timeoutMs: 15_000 });

/** Perfect Money's ERROR texts (English, not numbered): what they mean for us. */
function refusalOf(error: string): VoucherRefusal {
  if (/already|activated|used/i.test(error)) return 'ALREADY_USED';
  if (/ev_number|ev_code|voucher|code/i.test(error)) return 'INVALID_CODE';
  if (/not enough|insufficient|balance/i.test(error)) return 'INSUFFICIENT_PROVIDER_BALANCE';
  if (/amount/i.test(error)) return 'AMOUNT_OUT_OF_RANGE';
  return 'PROVIDER_SETUP';
}

export interface PerfectMoneyVoucherProvider extends VoucherProvider {
  readonly http: HttpClient;
}

export function createPerfectMoneyProvider(options: PerfectMoneyClientOptions): PerfectMoneyVoucherProvider {
  if (!options.accountId || !options.passPhrase)
    throw new Error('perfect-money: accountId and passPhrase are required');
  const log = options.log?.child({ provider: PROVIDER });
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: options.baseUrl,
    ...PERFECT_MONEY_RESILIENCE,
    ...options.resilience,
    ...(log ? { log } : {}),
  });

  /** One form POST; an `ERROR` input is a definite refusal. The page may hold a voucher code: never in errors. */
  const post = async (page: string, fields: Record<string, string>, idempotent: boolean, opts: CallOptions) => {
    const form = new URLSearchParams({ AccountID: options.accountId, PassPhrase: options.passPhrase, ...fields });
    const res = await http.request({
      method: 'POST',
      path: `/${page}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      parse: 'text',
      idempotent,
      decode: (data) => {
        const inputs = hiddenInputs(String(data));
        const error = inputs.get('ERROR');
        if (error !== undefined) throw new VoucherProviderRefusedError(PROVIDER, refusalOf(error), error.slice(0, 120));
        if (inputs.size === 0)
          throw new ProviderParseError(PROVIDER, `${page}: no hidden inputs in the answer`, '[page withheld]');
        return inputs;
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return res.data;
  };

  const cents = (inputs: Map<string, string>, name: string): bigint => {
    const value = decimalTextToMinor(inputs.get(name) ?? '', 2);
    if (value === null) throw new ProviderParseError(PROVIDER, `${name} is not a USD amount`, '[page withheld]');
    return value;
  };
  const required = (inputs: Map<string, string>, name: string): string => {
    const value = inputs.get(name);
    if (!value) throw new ProviderParseError(PROVIDER, `${name} missing from the answer`, '[page withheld]');
    return value;
  };

  return {
    name: PROVIDER,
    http,

    async create(type, amount, opts: CallOptions = {}): Promise<CreatedVoucher> {
      if (type !== 'PERFECT_MONEY' || amount.currency !== 'USD')
        throw new RangeError('perfect-money: only USD PERFECT_MONEY vouchers');
      const inputs = await post(
        'ev_create.asp',
        { Payer_Account: options.usdAccount, Amount: minorToDecimalText(amount.minor, 2) },
        false,
        opts,
      );
      const number = required(inputs, 'VOUCHER_NUM');
      log?.info({ voucherNum: number, batch: inputs.get('PAYMENT_BATCH_NUM') }, 'e-voucher created');
      return {
        code: joinCode(number, required(inputs, 'VOUCHER_CODE')),
        providerReference: number,
        amount: { currency: 'USD', minor: cents(inputs, 'VOUCHER_AMOUNT') },
      };
    },

    lookupCreation(): Promise<CreationLookup> {
      return Promise.resolve({
        found: 'unknown',
        why: 'ev_create.asp takes no client reference and this client reads no voucher listing: staff must check the account',
      });
    },

    async redeem(type, code, opts: CallOptions = {}): Promise<Redemption> {
      const parts = splitCode(code);
      if (!parts) return { state: 'REJECTED', providerReference: null, amount: null, reason: 'INVALID_CODE' };
      try {
        const inputs = await post(
          'ev_activate.asp',
          { Payee_Account: options.usdAccount, ev_number: parts.number, ev_code: parts.activation },
          false,
          opts,
        );
        const currency = inputs.get('VOUCHER_AMOUNT_CURRENCY');
        // Perfect Money states the currency as a number; 1 is USD.
        if (currency !== undefined && currency !== '1' && currency.toUpperCase() !== 'USD')
          throw new ProviderParseError(PROVIDER, `voucher currency ${currency} is not USD`, '');
        const batch = inputs.get('PAYMENT_BATCH_NUM') ?? null;
        log?.info({ voucherNum: parts.number, batch }, 'e-voucher activated');
        return {
          state: 'CONFIRMED',
          providerReference: batch,
          amount: { currency: 'USD', minor: cents(inputs, 'VOUCHER_AMOUNT') },
          reason: null,
        };
      } catch (error) {
        if (error instanceof VoucherProviderRefusedError && error.reason !== 'PROVIDER_SETUP')
          return { state: 'REJECTED', providerReference: null, amount: null, reason: error.reason };
        throw error;
      }
    },

    redemptionStatus(_type, providerReference): Promise<Redemption> {
      // ev_activate.asp answers final: an activation with a batch number is done.
      return Promise.resolve({ state: 'CONFIRMED', providerReference, amount: null, reason: null });
    },

    validate(): Promise<Validation> {
      return Promise.resolve({
        supported: false,
        why: 'Perfect Money offers no e-voucher check without activating it: validation happens at redemption',
      });
    },

    async balances(opts: CallOptions = {}): Promise<ProviderBalance[]> {
      const inputs = await post('balance.asp', {}, true, opts);
      return [{ asset: options.usdAccount, currency: 'USD', available: cents(inputs, options.usdAccount) }];
    },
  };
}
