import type { Logger } from 'pino';
import { z } from 'zod';
import { createHttpClient, type HttpClient, type RawResponse } from '../http/http.client.js';
import { ProviderParseError, snippet } from '../http/http.errors.js';
import { parseBody } from '../http/json.schemas.js';
import { encodeBalanceOf } from './erc20.js';
import { EvmHeadRegressedError, EvmRpcError } from './evm-rpc.errors.js';
import {
  PROVIDER,
  blockWithHashesSchema,
  blockWithTransactionsSchema,
  feeHistorySchema,
  jsonRpcErrorSchema,
  logSchema,
  receiptSchema,
  transactionSchema,
  zData,
  zHash,
  zQuantity,
  type EvmBlock,
  type EvmBlockWithTransactions,
  type EvmFeeHistory,
  type EvmLog,
  type EvmReceipt,
  type EvmTransaction,
} from './evm-rpc.wire.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';

/** A block by number, or one of the tags every post-merge client (and Hardhat) serves. */
export type EvmBlockTag = bigint | 'latest' | 'safe' | 'finalized' | 'earliest';
/** State reads may also use the pending block. */
export type EvmStateTag = EvmBlockTag | 'pending';

export interface EvmLogFilter {
  fromBlock?: EvmBlockTag;
  toBlock?: EvmBlockTag;
  /** One contract or several. */
  address?: string | string[];
  /** Per position: null = any, a topic, or any of several topics. */
  topics?: Array<string | string[] | null>;
  /** Instead of a range (EIP-234). */
  blockHash?: string;
}

export interface EvmCallRequest {
  to: string;
  data: string;
  from?: string;
  value?: bigint;
  gas?: bigint;
}

export interface EvmEstimateRequest {
  from: string;
  to?: string;
  data?: string;
  value?: bigint;
}

/** One call for `batch`: the method, its params, and how to read its result. */
export interface EvmRpcCall<T> {
  method: string;
  params: unknown[];
  read: (result: unknown, text: string) => T;
}

export type EvmResilienceOptions = ResilienceOptions;

export interface EvmRpcClientOptions {
  rpcUrl: string;
  /** Name in errors and logs, e.g. "evm-rpc:bsc". Default "evm-rpc". */
  name?: string;
  /** Extra headers (some providers take an API key in a header). */
  headers?: Record<string, string>;
  resilience?: EvmResilienceOptions;
  /** Calls per JSON-RPC batch request; longer batches are split. Default 100. */
  maxBatchSize?: number;
  /**
   * How far a head may move back before it is refused (load-balanced endpoints can lag by a block). Default 0:
   * any regression of `latest`, `safe` or `finalized` is an `EvmHeadRegressedError`.
   */
  headRegressionTolerance?: bigint;
  log?: Logger;
}

export interface EvmRpcClient {
  readonly name: string;
  readonly http: HttpClient;
  chainId(): Promise<bigint>;
  /** `eth_blockNumber`, checked against the highest head seen. */
  blockNumber(): Promise<bigint>;
  /** Block with transaction hashes; null when the node has no such block (yet). */
  getBlock(tag: EvmBlockTag): Promise<EvmBlock | null>;
  /** Block with full transaction objects; null when the node has no such block (yet). */
  getBlockWithTransactions(tag: EvmBlockTag): Promise<EvmBlockWithTransactions | null>;
  /** Several blocks in batched requests, in the order asked; null for blocks the node does not have. */
  getBlocks(numbers: readonly bigint[], options?: { transactions?: false }): Promise<Array<EvmBlock | null>>;
  getBlocks(
    numbers: readonly bigint[],
    options: { transactions: true },
  ): Promise<Array<EvmBlockWithTransactions | null>>;
  getLogs(filter: EvmLogFilter): Promise<EvmLog[]>;
  getBalance(address: string, tag?: EvmStateTag): Promise<bigint>;
  /** Native balances of several addresses in batched requests, in order. */
  getBalances(addresses: readonly string[], tag?: EvmStateTag): Promise<bigint[]>;
  /** `eth_call`: the returned bytes (0x…). */
  call(request: EvmCallRequest, tag?: EvmStateTag): Promise<string>;
  /** ERC20/BEP20 `balanceOf(owner)` on `token`. */
  erc20BalanceOf(token: string, owner: string, tag?: EvmStateTag): Promise<bigint>;
  /** The next nonce (`eth_getTransactionCount`), `pending` by default. */
  getTransactionCount(address: string, tag?: EvmStateTag): Promise<bigint>;
  /** Broadcasts a signed transaction; resolves with its hash. Not retried (the caller decides). */
  sendRawTransaction(rawTransaction: string): Promise<string>;
  getTransactionReceipt(hash: string): Promise<EvmReceipt | null>;
  /** `eth_getTransactionByHash`: the transaction (pending or mined), or null when the node does not know it. */
  getTransactionByHash(hash: string): Promise<EvmTransaction | null>;
  estimateGas(request: EvmEstimateRequest, tag?: EvmStateTag): Promise<bigint>;
  gasPrice(): Promise<bigint>;
  maxPriorityFeePerGas(): Promise<bigint>;
  /** `eth_feeHistory` over the `blockCount` blocks up to `newest`, with priority fees at `percentiles`. */
  feeHistory(blockCount: number, newest?: EvmBlockTag, percentiles?: readonly number[]): Promise<EvmFeeHistory>;
  /** Several calls in JSON-RPC batch requests; results in the order given. Rejects with the first failed call. */
  batch<T extends readonly EvmRpcCall<unknown>[]>(
    calls: T,
  ): Promise<{ [K in keyof T]: T[K] extends EvmRpcCall<infer R> ? R : never }>;
  /** Forgets the heads seen, accepting a chain that really restarted (devnet) after an `EvmHeadRegressedError`. */
  resetHead(): void;
}

const DEFAULT_RESILIENCE = resilienceDefaults({
  timeoutMs: 10_000,
  breaker: { kind: 'consecutive', failures: 5, halfOpenAfterMs: 15_000 },
  rateLimit: { maxWaitMs: 0, defaultRetryAfterMs: 1_000 },
});

const quantity = (value: bigint): string => '0x' + value.toString(16);

function tagParam(tag: EvmStateTag): string {
  if (typeof tag === 'bigint') {
    if (tag < 0n) throw new RangeError('block number must be non-negative');
    return quantity(tag);
  }
  return tag;
}

function normalizeHexAddress(address: string, field: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/u.test(address)) throw new TypeError(`${field} must be a 0x-prefixed 20-byte address`);
  return address.toLowerCase();
}

const read =
  <S extends z.ZodTypeAny>(name: string, schema: S) =>
  (result: unknown, text: string): z.output<S> =>
    parseBody(name, schema, result, text);

/** The first problem of a JSON-RPC response envelope, or null when it is well formed. */
function envelopeProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'response is not a JSON object';
  const record = value as Record<string, unknown>;
  if (record.jsonrpc !== '2.0') return 'jsonrpc is not "2.0"';
  if (!('id' in record)) return 'response has no id';
  const hasResult = Object.prototype.hasOwnProperty.call(record, 'result');
  const hasError = Object.prototype.hasOwnProperty.call(record, 'error');
  if (hasResult === hasError) return 'response must carry exactly one of result and error';
  return null;
}

export function createEvmRpcClient(options: EvmRpcClientOptions): EvmRpcClient {
  const name = options.name ?? PROVIDER;
  const log = options.log?.child({ provider: name });
  const maxBatchSize = options.maxBatchSize ?? 100;
  const tolerance = options.headRegressionTolerance ?? 0n;
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1)
    throw new RangeError('maxBatchSize must be a positive integer');
  const http = createHttpClient({
    name,
    baseUrl: options.rpcUrl,
    ...DEFAULT_RESILIENCE,
    ...options.resilience,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(log ? { log } : {}),
  });

  let nextId = 1;
  const heads = new Map<string, bigint>();

  /** Refuses a head below the highest seen for `tag`; remembers a higher one. */
  const observeHead = (tag: string, head: bigint): void => {
    const previous = heads.get(tag);
    if (previous !== undefined && head + tolerance < previous) {
      log?.warn({ tag, previousHead: previous.toString(), reportedHead: head.toString() }, 'node head went backwards');
      throw new EvmHeadRegressedError(name, tag, previous, head);
    }
    if (previous === undefined || head > previous) heads.set(tag, head);
  };

  /** Turns one response object into the call's result (or its typed error). */
  const settle = <T>(call: EvmRpcCall<T>, response: Record<string, unknown>, raw: RawResponse): T => {
    if ('error' in response) {
      const error = parseBody(name, jsonRpcErrorSchema, response.error, raw.text);
      throw new EvmRpcError(name, call.method, error, raw.status, raw.text);
    }
    return call.read(response.result, raw.text);
  };

  const single = async <T>(call: EvmRpcCall<T>, idempotent = true): Promise<T> => {
    const id = nextId++;
    const res = await http.post(
      '',
      { jsonrpc: '2.0', id, method: call.method, params: call.params },
      {
        idempotent,
        decode: (data, raw) => {
          const problem = envelopeProblem(data);
          if (problem) {
            // A node that does not speak JSON-RPC here may still send `{"error":…}` without an id (some gateways).
            throw new ProviderParseError(name, `${call.method}: ${problem}`, snippet(raw.text));
          }
          const response = data as Record<string, unknown>;
          if (response.id !== id && !('error' in response && response.id === null)) {
            throw new ProviderParseError(
              name,
              `${call.method}: response id ${String(response.id)} does not match ${id}`,
              snippet(raw.text),
            );
          }
          return settle(call, response, raw);
        },
      },
    );
    return res.data;
  };

  const batchChunk = async (calls: readonly EvmRpcCall<unknown>[]): Promise<unknown[]> => {
    const ids = calls.map(() => nextId++);
    const body = calls.map((call, i) => ({ jsonrpc: '2.0', id: ids[i], method: call.method, params: call.params }));
    const res = await http.post('', body, {
      idempotent: true,
      decode: (data, raw) => {
        if (!Array.isArray(data)) {
          // A node that refuses batches answers with one error object.
          const problem = envelopeProblem(data);
          if (!problem && 'error' in (data as Record<string, unknown>)) {
            return settle(
              { method: 'batch', params: [], read: () => [] as unknown[] },
              data as Record<string, unknown>,
              raw,
            );
          }
          throw new ProviderParseError(name, 'batch response is not an array', snippet(raw.text));
        }
        const byId = new Map<number, Record<string, unknown>>();
        for (const item of data) {
          const problem = envelopeProblem(item);
          if (problem) throw new ProviderParseError(name, `batch item: ${problem}`, snippet(raw.text));
          const response = item as Record<string, unknown>;
          const id = response.id;
          if (typeof id !== 'number' || !ids.includes(id) || byId.has(id)) {
            throw new ProviderParseError(
              name,
              `batch item with unexpected or repeated id ${String(id)}`,
              snippet(raw.text),
            );
          }
          byId.set(id, response);
        }
        if (byId.size !== ids.length) {
          throw new ProviderParseError(name, `batch answered ${byId.size} of ${ids.length} calls`, snippet(raw.text));
        }
        return calls.map((call, i) => settle(call, byId.get(ids[i]!)!, raw));
      },
    });
    return res.data;
  };

  const batch = async <T extends readonly EvmRpcCall<unknown>[]>(
    calls: T,
  ): Promise<{ [K in keyof T]: T[K] extends EvmRpcCall<infer R> ? R : never }> => {
    const out: unknown[] = [];
    for (let start = 0; start < calls.length; start += maxBatchSize) {
      out.push(...(await batchChunk(calls.slice(start, start + maxBatchSize))));
    }
    return out as { [K in keyof T]: T[K] extends EvmRpcCall<infer R> ? R : never };
  };

  const blockCall = <T extends EvmBlock | EvmBlockWithTransactions>(
    tag: EvmBlockTag,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
    hydrated: boolean,
  ): EvmRpcCall<T | null> => ({
    method: 'eth_getBlockByNumber',
    params: [tagParam(tag), hydrated],
    read: (result, text) => {
      if (result === null) return null;
      const block = parseBody(name, schema, result, text);
      if (typeof tag === 'bigint' && block.number !== tag) {
        throw new ProviderParseError(name, `asked for block ${tag}, got block ${block.number}`, snippet(text));
      }
      if (hydrated) {
        for (const tx of (block as EvmBlockWithTransactions).transactions) {
          if (
            (tx.blockHash !== null && tx.blockHash !== block.hash) ||
            (tx.blockNumber !== null && tx.blockNumber !== block.number)
          ) {
            throw new ProviderParseError(
              name,
              `transaction ${tx.hash} does not belong to block ${block.number}`,
              snippet(text),
            );
          }
        }
      }
      return block;
    },
  });

  const checkTaggedHead = <T extends { number: bigint } | null>(tag: EvmBlockTag, block: T): T => {
    if (block !== null && typeof tag === 'string' && tag !== 'earliest') observeHead(tag, block.number);
    return block;
  };

  const balanceCall = (address: string, tag: EvmStateTag): EvmRpcCall<bigint> => ({
    method: 'eth_getBalance',
    params: [normalizeHexAddress(address, 'address'), tagParam(tag)],
    read: read(name, zQuantity),
  });

  const getBlocks = (async (numbers: readonly bigint[], opts: { transactions?: boolean } = {}) => {
    const hydrated = opts.transactions === true;
    const schema = hydrated ? blockWithTransactionsSchema : blockWithHashesSchema;
    return batch(
      numbers.map((n) =>
        blockCall(n, schema as z.ZodType<EvmBlock | EvmBlockWithTransactions, z.ZodTypeDef, unknown>, hydrated),
      ),
    );
  }) as EvmRpcClient['getBlocks'];

  return {
    name,
    http,
    chainId: () => single({ method: 'eth_chainId', params: [], read: read(name, zQuantity) }),
    blockNumber: async () => {
      const head = await single({ method: 'eth_blockNumber', params: [], read: read(name, zQuantity) });
      observeHead('latest', head);
      return head;
    },
    getBlock: async (tag) => checkTaggedHead(tag, await single(blockCall(tag, blockWithHashesSchema, false))),
    getBlockWithTransactions: async (tag) =>
      checkTaggedHead(tag, await single(blockCall(tag, blockWithTransactionsSchema, true))),
    getBlocks,
    getLogs: async (filter) => {
      const params: Record<string, unknown> = {};
      if (filter.blockHash !== undefined) {
        if (filter.fromBlock !== undefined || filter.toBlock !== undefined)
          throw new TypeError('blockHash excludes fromBlock/toBlock');
        params.blockHash = filter.blockHash.toLowerCase();
      } else {
        if (filter.fromBlock !== undefined) params.fromBlock = tagParam(filter.fromBlock);
        if (filter.toBlock !== undefined) params.toBlock = tagParam(filter.toBlock);
      }
      const addresses =
        filter.address === undefined
          ? null
          : (Array.isArray(filter.address) ? filter.address : [filter.address]).map((a) =>
              normalizeHexAddress(a, 'address'),
            );
      if (addresses) params.address = addresses.length === 1 ? addresses[0] : addresses;
      if (filter.topics)
        params.topics = filter.topics.map((t) =>
          t === null ? null : Array.isArray(t) ? t.map((x) => x.toLowerCase()) : t.toLowerCase(),
        );
      return single({
        method: 'eth_getLogs',
        params: [params],
        read: (result, text) => {
          const logs = parseBody(name, z.array(logSchema), result, text);
          const from = typeof filter.fromBlock === 'bigint' ? filter.fromBlock : null;
          const to = typeof filter.toBlock === 'bigint' ? filter.toBlock : null;
          for (const entry of logs) {
            // A node must not hand back logs outside the filter; a hostile or buggy one is caught here.
            if ((from !== null && entry.blockNumber < from) || (to !== null && entry.blockNumber > to)) {
              throw new ProviderParseError(
                name,
                `log in block ${entry.blockNumber} outside the requested range`,
                snippet(text),
              );
            }
            if (addresses && !addresses.includes(entry.address.toLowerCase())) {
              throw new ProviderParseError(name, `log from ${entry.address}, not a requested contract`, snippet(text));
            }
            if (params.blockHash !== undefined && entry.blockHash !== params.blockHash) {
              throw new ProviderParseError(
                name,
                `log from block ${entry.blockHash}, not the requested block`,
                snippet(text),
              );
            }
          }
          return logs;
        },
      });
    },
    getBalance: async (address, tag = 'latest') => single(balanceCall(address, tag)),
    getBalances: async (addresses, tag = 'latest') => batch(addresses.map((a) => balanceCall(a, tag))),
    call: async (request, tag = 'latest') => {
      const tx: Record<string, string> = { to: normalizeHexAddress(request.to, 'to'), data: request.data };
      if (request.from !== undefined) tx.from = normalizeHexAddress(request.from, 'from');
      if (request.value !== undefined) tx.value = quantity(request.value);
      if (request.gas !== undefined) tx.gas = quantity(request.gas);
      return single({ method: 'eth_call', params: [tx, tagParam(tag)], read: read(name, zData) });
    },
    erc20BalanceOf: async (token, owner, tag = 'latest') => {
      const data = encodeBalanceOf(normalizeHexAddress(owner, 'owner'));
      const result = await single({
        method: 'eth_call',
        params: [{ to: normalizeHexAddress(token, 'token'), data }, tagParam(tag)],
        read: read(name, zData),
      });
      if (!/^0x[0-9a-f]{64}$/u.test(result)) {
        // "0x" comes back from an address without code: a wrong token address, not a zero balance.
        throw new ProviderParseError(
          name,
          `balanceOf on ${token} returned ${(result.length - 2) >> 1} bytes, expected 32 (is it a token contract?)`,
          result,
        );
      }
      return BigInt(result);
    },
    getTransactionCount: async (address, tag = 'pending') =>
      single({
        method: 'eth_getTransactionCount',
        params: [normalizeHexAddress(address, 'address'), tagParam(tag)],
        read: read(name, zQuantity),
      }),
    sendRawTransaction: async (rawTransaction) => {
      if (!/^0x(?:[0-9a-fA-F]{2})+$/u.test(rawTransaction))
        throw new TypeError('rawTransaction must be 0x-prefixed hex bytes');
      return single({ method: 'eth_sendRawTransaction', params: [rawTransaction], read: read(name, zHash) }, false);
    },
    getTransactionReceipt: async (hash) => {
      if (!/^0x[0-9a-fA-F]{64}$/u.test(hash)) throw new TypeError('hash must be a 0x-prefixed 32-byte hex string');
      const wanted = hash.toLowerCase();
      return single({
        method: 'eth_getTransactionReceipt',
        params: [wanted],
        read: (result, text) => {
          if (result === null) return null;
          const receipt = parseBody(name, receiptSchema, result, text);
          if (receipt.transactionHash !== wanted) {
            throw new ProviderParseError(
              name,
              `asked for receipt of ${wanted}, got ${receipt.transactionHash}`,
              snippet(text),
            );
          }
          return receipt;
        },
      });
    },
    getTransactionByHash: async (hash) => {
      if (!/^0x[0-9a-fA-F]{64}$/u.test(hash)) throw new TypeError('hash must be a 0x-prefixed 32-byte hex string');
      const wanted = hash.toLowerCase();
      return single({
        method: 'eth_getTransactionByHash',
        params: [wanted],
        read: (result, text) => {
          if (result === null) return null;
          const tx = parseBody(name, transactionSchema, result, text);
          if (tx.hash !== wanted)
            throw new ProviderParseError(name, `asked for transaction ${wanted}, got ${tx.hash}`, snippet(text));
          return tx;
        },
      });
    },
    estimateGas: async (request, tag = 'latest') => {
      const tx: Record<string, string> = { from: normalizeHexAddress(request.from, 'from') };
      if (request.to !== undefined) tx.to = normalizeHexAddress(request.to, 'to');
      if (request.data !== undefined) tx.data = request.data;
      if (request.value !== undefined) tx.value = quantity(request.value);
      return single({ method: 'eth_estimateGas', params: [tx, tagParam(tag)], read: read(name, zQuantity) });
    },
    gasPrice: () => single({ method: 'eth_gasPrice', params: [], read: read(name, zQuantity) }),
    maxPriorityFeePerGas: () => single({ method: 'eth_maxPriorityFeePerGas', params: [], read: read(name, zQuantity) }),
    feeHistory: async (blockCount, newest = 'latest', percentiles = []) => {
      if (!Number.isSafeInteger(blockCount) || blockCount < 1 || blockCount > 1024)
        throw new RangeError('blockCount must be an integer in [1, 1024]');
      if (percentiles.some((p, i) => !(p >= 0 && p <= 100) || (i > 0 && p < percentiles[i - 1]!)))
        throw new RangeError('percentiles must be ascending numbers in [0, 100]');
      return single({
        method: 'eth_feeHistory',
        params: [quantity(BigInt(blockCount)), tagParam(newest), [...percentiles]],
        read: (result, text) => {
          const history = parseBody(name, feeHistorySchema, result, text);
          if (history.baseFeePerGas.length !== history.gasUsedRatio.length + 1) {
            throw new ProviderParseError(
              name,
              'eth_feeHistory: baseFeePerGas must have one entry per block + 1',
              snippet(text),
            );
          }
          if (percentiles.length > 0 && history.reward.some((r) => r.length !== percentiles.length)) {
            throw new ProviderParseError(
              name,
              'eth_feeHistory: reward must have one entry per percentile',
              snippet(text),
            );
          }
          return history;
        },
      });
    },
    batch,
    resetHead: () => heads.clear(),
  };
}
