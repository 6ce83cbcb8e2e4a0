import { hex } from '@scure/base';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createHttpClient, type HttpClient, type RawResponse } from '../http/http.client.js';
import { ProviderParseError, ProviderResponseError, snippet } from '../http/http.errors.js';
import { parseBody } from '../http/json.schemas.js';
import { decodeTronAddress, validateAddress } from '../../chains/address.js';
import type { TronBroadcastTransaction } from '../../chains/tron-transaction.js';
import { TronBroadcastError, TronContractCallError, TronHeadRegressedError } from './trongrid.errors.js';
import {
  PROVIDER,
  accountSchema,
  blockListSchema,
  broadcastResultSchema,
  chainParametersSchema,
  constantCallSchema,
  hexToUtf8,
  maybeBlockSchema,
  maybeTransactionInfoSchema,
  throwIfNodeError,
  transactionInfoListSchema,
  trc20PageSchema,
  trongridRetryAfter,
  type TronAccount,
  type TronBlock,
  type TronTransactionInfo,
} from './trongrid.wire.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';

/** getblockbylimitnext serves at most 100 blocks per call. */
export const TRON_MAX_BLOCK_RANGE = 100;
/** TronGrid's API-key header. */
export const TRON_API_KEY_HEADER = 'TRON-PRO-API-KEY';

export type TronResilienceOptions = ResilienceOptions;

export interface TronGridClientOptions {
  /** "https://api.trongrid.io", "https://nile.trongrid.io", or a simulator URL. */
  baseUrl: string;
  /** Sent as `TRON-PRO-API-KEY` when set; TronGrid without a key is heavily rate limited. */
  apiKey: string | null;
  resilience?: TronResilienceOptions;
  /** Blocks a head may move back before it is refused. Default 0. */
  headRegressionTolerance?: number;
  log?: Logger;
}

export interface Trc20TransferQuery {
  /** Only this TRC20 contract (base58). */
  contract?: string;
  onlyConfirmed?: boolean;
  onlyUnconfirmed?: boolean;
  onlyTo?: boolean;
  onlyFrom?: boolean;
  /** Block timestamps in ms. */
  minTimestamp?: number;
  maxTimestamp?: number;
  /** 1..200, default 20. */
  limit?: number;
  /** `fingerprint` of the previous page (keep the other parameters unchanged). */
  fingerprint?: string;
  order?: 'asc' | 'desc';
}

export interface Trc20TransferRecord {
  transactionId: string;
  token: { symbol: string; address: string; decimals: number; name: string | null };
  blockTimestamp: number;
  from: string;
  to: string;
  /** "Transfer" or "Approval". */
  type: string;
  value: bigint;
}

export interface Trc20TransferPage {
  transfers: Trc20TransferRecord[];
  /** Pass back as `fingerprint` for the next page; null on the last page. */
  fingerprint: string | null;
}

export interface TronGridClient {
  readonly name: string;
  readonly http: HttpClient;
  /** The latest block (`/wallet/getnowblock`), or the latest solidified one (`/walletsolidity/getnowblock`). */
  getNowBlock(options?: { solidified?: boolean }): Promise<TronBlock>;
  /** null when the node has no such block (`{}`). */
  getBlockByNumber(num: number, options?: { solidified?: boolean }): Promise<TronBlock | null>;
  /** Blocks [startNum, endNum) in ascending order, fetched 100 at a time; stops early at the node's head. */
  getBlockRange(startNum: number, endNum: number): Promise<TronBlock[]>;
  /** Execution results (fees, TRC20 logs) of every transaction in block `num`. */
  getTransactionInfoByBlockNum(num: number): Promise<TronTransactionInfo[]>;
  getTransactionInfoById(txid: string): Promise<TronTransactionInfo | null>;
  getAccount(address: string): Promise<TronAccount>;
  /** TRX balance in sun (0 for an account that does not exist yet). */
  getBalance(address: string): Promise<bigint>;
  /** TRC20 `balanceOf(owner)` via `/wallet/triggerconstantcontract`. */
  trc20BalanceOf(contract: string, owner: string): Promise<bigint>;
  /** `/wallet/getchainparameters`: governance parameters by key (fees in sun: getEnergyFee, getTransactionFee …). */
  getChainParameters(): Promise<Map<string, bigint>>;
  /**
   * `/wallet/triggerconstantcontract` with raw call `data` (hex, selector + arguments) from `owner`: the energy the
   * call would use and its result words. A call that would revert is a `TronContractCallError` (code REVERT).
   */
  triggerConstantContract(call: {
    owner: string;
    contract: string;
    data: string;
  }): Promise<{ energyUsed: number; constantResult: string[] }>;
  /** Broadcasts a signed transaction (as `signTronTransfer` returns it); resolves with the txid the node computed. */
  broadcastTransaction(tx: TronBroadcastTransaction): Promise<string>;
  /** TronGrid v1: TRC20 transfers touching `address`, newest first unless `order: 'asc'`. */
  trc20Transfers(address: string, query?: Trc20TransferQuery): Promise<Trc20TransferPage>;
  /** Forgets the heads seen (accepts a chain that really restarted). */
  resetHead(): void;
}

const DEFAULT_RESILIENCE = resilienceDefaults({
  timeoutMs: 10_000,
  breaker: { kind: 'consecutive', failures: 5, halfOpenAfterMs: 15_000 },
  rateLimit: { maxWaitMs: 0, defaultRetryAfterMs: 5_000 },
});

function hexAddress(address: string, field: string): string {
  const check = validateAddress('TRON', address);
  if (!check.valid) throw new TypeError(`${field}: ${check.reason ?? 'invalid TRON address'}`);
  return hex.encode(decodeTronAddress(address));
}

function requireBlockNumber(num: number, field = 'num'): void {
  if (!Number.isSafeInteger(num) || num < 0) throw new RangeError(`${field} must be a non-negative integer`);
}

export function createTronGridClient(options: TronGridClientOptions): TronGridClient {
  const name = PROVIDER;
  const log = options.log?.child({ provider: name });
  const tolerance = options.headRegressionTolerance ?? 0;
  const resilience = { ...DEFAULT_RESILIENCE, ...options.resilience };
  const http = createHttpClient({
    name,
    baseUrl: options.baseUrl,
    ...resilience,
    rateLimit: { ...resilience.rateLimit, retryAfterFromResponse: trongridRetryAfter },
    ...(options.apiKey ? { headers: { [TRON_API_KEY_HEADER]: options.apiKey } } : {}),
    ...(log ? { log } : {}),
  });

  const heads = new Map<'now' | 'solidified', number>();
  const observeHead = (tag: 'now' | 'solidified', head: number): void => {
    const previous = heads.get(tag);
    if (previous !== undefined && head + tolerance < previous) {
      log?.warn({ tag, previousHead: previous, reportedHead: head }, 'node head went backwards');
      throw new TronHeadRegressedError(name, tag, previous, head);
    }
    if (previous === undefined || head > previous) heads.set(tag, head);
  };

  /** POST a FullNode API call (JSON body, lossless numbers), validating the answer against `schema`. */
  const post = async <S extends z.ZodTypeAny>(
    path: string,
    body: unknown,
    schema: S,
    idempotent = true,
  ): Promise<z.output<S>> => {
    const res = await http.post(path, body, {
      idempotent,
      parse: 'lossless',
      decode: (data, raw) => {
        throwIfNodeError(data, raw);
        return parseBody(name, schema, data, raw.text) as z.output<S>;
      },
    });
    return res.data;
  };

  const prefix = (solidified: boolean | undefined): string => (solidified ? '/walletsolidity' : '/wallet');

  return {
    name,
    http,
    getNowBlock: async (opts = {}) => {
      const block = await post(`${prefix(opts.solidified)}/getnowblock`, {}, maybeBlockSchema);
      if (block === null) throw new ProviderParseError(name, 'getnowblock returned no block', '{}');
      observeHead(opts.solidified ? 'solidified' : 'now', block.number);
      return block;
    },
    getBlockByNumber: async (num, opts = {}) => {
      requireBlockNumber(num);
      const block = await post(`${prefix(opts.solidified)}/getblockbynum`, { num }, maybeBlockSchema);
      if (block !== null && block.number !== num) {
        throw new ProviderParseError(name, `asked for block ${num}, got block ${block.number}`, block.blockID);
      }
      return block;
    },
    getBlockRange: async (startNum, endNum) => {
      requireBlockNumber(startNum, 'startNum');
      requireBlockNumber(endNum, 'endNum');
      const out: TronBlock[] = [];
      for (let from = startNum; from < endNum; from += TRON_MAX_BLOCK_RANGE) {
        const to = Math.min(endNum, from + TRON_MAX_BLOCK_RANGE);
        const blocks = await post('/wallet/getblockbylimitnext', { startNum: from, endNum: to }, blockListSchema);
        const sorted = [...blocks].sort((a, b) => a.number - b.number);
        sorted.forEach((block, i) => {
          if (block.number < from || block.number >= to || (i > 0 && block.number === sorted[i - 1]!.number)) {
            throw new ProviderParseError(
              name,
              `block ${block.number} is outside [${from}, ${to}) or repeated`,
              block.blockID,
            );
          }
        });
        out.push(...sorted);
        if (sorted.length < to - from) break; // past the node's head
      }
      return out;
    },
    getTransactionInfoByBlockNum: async (num) => {
      requireBlockNumber(num);
      const infos = await post('/wallet/gettransactioninfobyblocknum', { num }, transactionInfoListSchema);
      for (const info of infos) {
        if (info.blockNumber !== num)
          throw new ProviderParseError(
            name,
            `transaction ${info.id} is in block ${info.blockNumber}, not ${num}`,
            info.id,
          );
      }
      return infos;
    },
    getTransactionInfoById: async (txid) => {
      if (!/^[0-9a-fA-F]{64}$/u.test(txid)) throw new TypeError('txid must be 32 bytes of hex');
      const info = await post(
        '/wallet/gettransactioninfobyid',
        { value: txid.toLowerCase() },
        maybeTransactionInfoSchema,
      );
      if (info !== null && info.id !== txid.toLowerCase())
        throw new ProviderParseError(name, `asked for ${txid}, got ${info.id}`, info.id);
      return info;
    },
    getAccount: async (address) =>
      post('/wallet/getaccount', { address: hexAddress(address, 'address'), visible: false }, accountSchema),
    getBalance: async (address) =>
      (await post('/wallet/getaccount', { address: hexAddress(address, 'address'), visible: false }, accountSchema))
        .balance,
    getChainParameters: async () => post('/wallet/getchainparameters', {}, chainParametersSchema),
    triggerConstantContract: async (call) => {
      if (!/^(?:[0-9a-fA-F]{2})+$/u.test(call.data)) throw new TypeError('data must be hex bytes');
      const res = await http.post(
        '/wallet/triggerconstantcontract',
        {
          owner_address: hexAddress(call.owner, 'owner'),
          contract_address: hexAddress(call.contract, 'contract'),
          data: call.data.toLowerCase(),
          visible: false,
        },
        {
          idempotent: true,
          parse: 'lossless',
          decode: (data, raw) => {
            throwIfNodeError(data, raw);
            return { body: parseBody(name, constantCallSchema, data, raw.text), raw };
          },
        },
      );
      const { body, raw } = res.data;
      const reverted = body.transaction?.ret?.[0]?.ret === 'FAILED';
      if (body.result.result !== true || reverted) {
        const message = body.result.message ? hexToUtf8(body.result.message) : '';
        throw new TronContractCallError(
          name,
          body.result.code ?? (reverted ? 'REVERT' : 'OTHER_ERROR'),
          message,
          raw.status,
          raw.text,
        );
      }
      return { energyUsed: body.energy_used ?? 0, constantResult: body.constant_result ?? [] };
    },
    trc20BalanceOf: async (contract, owner) => {
      const ownerHex = hexAddress(owner, 'owner');
      const res = await http.post(
        '/wallet/triggerconstantcontract',
        {
          owner_address: ownerHex,
          contract_address: hexAddress(contract, 'contract'),
          function_selector: 'balanceOf(address)',
          parameter: ownerHex.slice(2).padStart(64, '0'),
          visible: false,
        },
        {
          idempotent: true,
          parse: 'lossless',
          decode: (data, raw) => {
            throwIfNodeError(data, raw);
            return { body: parseBody(name, constantCallSchema, data, raw.text), raw };
          },
        },
      );
      const { body, raw } = res.data;
      const reverted = body.transaction?.ret?.[0]?.ret === 'FAILED';
      if (body.result.result !== true || reverted) {
        const message = body.result.message ? hexToUtf8(body.result.message) : '';
        throw new TronContractCallError(
          name,
          body.result.code ?? (reverted ? 'REVERT' : 'OTHER_ERROR'),
          message,
          raw.status,
          raw.text,
        );
      }
      const word = body.constant_result?.[0];
      if (word === undefined || !/^[0-9a-f]{64}$/u.test(word)) {
        throw new ProviderParseError(
          name,
          `balanceOf returned ${word === undefined ? 'nothing' : `${word.length / 2} bytes`}, expected 32`,
          snippet(raw.text),
        );
      }
      return BigInt('0x' + word);
    },
    broadcastTransaction: async (tx) => {
      // Only the fields of protocol.Transaction (plus the display helpers): an unknown field could make the node's
      // JSON parser drop the transaction.
      const body = {
        visible: false,
        txID: tx.txID,
        raw_data: tx.raw_data,
        raw_data_hex: tx.raw_data_hex,
        signature: tx.signature,
      };
      const res = await http.post('/wallet/broadcasttransaction', body, {
        idempotent: false,
        parse: 'lossless',
        decode: (data, raw: RawResponse) => {
          throwIfNodeError(data, raw);
          return { result: parseBody(name, broadcastResultSchema, data, raw.text), raw };
        },
      });
      const { result, raw } = res.data;
      if (result.result !== true) {
        throw new TronBroadcastError(
          name,
          result.code ?? 'OTHER_ERROR',
          result.message ? hexToUtf8(result.message) : '',
          result.txid ?? null,
          raw.status,
          raw.text,
        );
      }
      const txid = (result.txid ?? tx.txID).toLowerCase();
      if (txid !== tx.txID.toLowerCase()) {
        throw new ProviderParseError(
          name,
          `node computed txid ${txid}, the transaction says ${tx.txID}`,
          snippet(raw.text),
        );
      }
      return txid;
    },
    trc20Transfers: async (address, query = {}) => {
      hexAddress(address, 'address');
      if (query.contract !== undefined) hexAddress(query.contract, 'contract');
      if (query.limit !== undefined && (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > 200)) {
        throw new RangeError('limit must be 1..200');
      }
      const res = await http.get(`/v1/accounts/${address}/transactions/trc20`, {
        query: {
          only_confirmed: query.onlyConfirmed,
          only_unconfirmed: query.onlyUnconfirmed,
          only_to: query.onlyTo,
          only_from: query.onlyFrom,
          min_timestamp: query.minTimestamp,
          max_timestamp: query.maxTimestamp,
          limit: query.limit,
          fingerprint: query.fingerprint,
          contract_address: query.contract,
          order_by: query.order ? `block_timestamp,${query.order}` : undefined,
        },
        parse: 'lossless',
        decode: (data, raw) => {
          throwIfNodeError(data, raw);
          const page = parseBody(name, trc20PageSchema, data, raw.text);
          if (!page.success) throw new ProviderResponseError(name, raw.status, snippet(raw.text), 'success: false');
          return page;
        },
      });
      return {
        transfers: res.data.data.map((row) => ({
          transactionId: row.transaction_id,
          token: {
            symbol: row.token_info.symbol,
            address: row.token_info.address,
            decimals: row.token_info.decimals,
            name: row.token_info.name ?? null,
          },
          blockTimestamp: row.block_timestamp,
          from: row.from,
          to: row.to,
          type: row.type,
          value: row.value,
        })),
        fingerprint: res.data.meta.fingerprint ?? null,
      };
    },
    resetHead: () => heads.clear(),
  };
}
