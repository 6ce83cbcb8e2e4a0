import type { Logger } from 'pino';
import { createHttpClient, type HttpClient } from '../http/http.client.js';
import { parseBody } from '../http/json.schemas.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';
import type { ScaledDecimal } from '../http/scaled-decimal.js';
import {
  PROVIDER,
  WALLET_INDEX_PATH,
  WITHDRAW_CREATE_PATH,
  walletIndexBody,
  withdrawCreateBody,
  type WithdrawCreateRequest,
} from './exonyx.wire.js';

export interface ExonyxClientOptions {
  baseUrl: string;
  /** Sent as the `apiKey` header; a secret (never logged). */
  apiKey: string;
  resilience?: ResilienceOptions;
  log?: Logger;
}

export interface ExonyxBalance {
  currency: string;
  balance: ScaledDecimal;
}

/** What withdraw/create answered (INFERRED fields; null when absent). */
export interface ExonyxWithdrawal {
  uniqueParam: string;
  status: string | null;
  txId: string | null;
}

export interface ExonyxClient {
  readonly http: HttpClient;
  /** The reseller account's balance per currency. */
  balances(): Promise<ExonyxBalance[]>;
  /**
   * Creates (or, for a `unique_param` already used, answers again: INFERRED deduplication) a withdrawal. Retried
   * on timeouts and 5xx like a read, because the same `unique_param` cannot pay twice.
   */
  createWithdrawal(request: WithdrawCreateRequest): Promise<ExonyxWithdrawal>;
}

/** 10 s per attempt: a withdrawal may take the API longer than a quote. */
const DEFAULT_RESILIENCE = resilienceDefaults({ timeoutMs: 10_000 });

export function createExonyxClient(options: ExonyxClientOptions): ExonyxClient {
  const log = options.log?.child({ provider: PROVIDER });
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: options.baseUrl,
    ...DEFAULT_RESILIENCE,
    ...options.resilience,
    headers: { apiKey: options.apiKey, accept: 'application/json' },
    ...(log ? { log } : {}),
  });
  return {
    http,
    async balances() {
      const res = await http.get(WALLET_INDEX_PATH, {
        parse: 'lossless',
        decode: (data, raw) => parseBody(PROVIDER, walletIndexBody, data, raw.text),
      });
      return res.data.data.map((row) => ({ currency: row.currency, balance: row.balance }));
    },
    async createWithdrawal(request) {
      const res = await http.post(WITHDRAW_CREATE_PATH, request, {
        idempotent: true,
        decode: (data, raw) => parseBody(PROVIDER, withdrawCreateBody, data, raw.text),
      });
      const data = res.data.data;
      log?.info(
        {
          uniqueParam: request.unique_param,
          currency: request.currency,
          network: request.network,
          status: data.status,
        },
        'exonyx withdrawal accepted',
      );
      return {
        uniqueParam: data.unique_param ?? request.unique_param,
        status: data.status ?? null,
        txId: data.tx_id ?? null,
      };
    },
  };
}
