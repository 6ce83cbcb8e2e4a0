import { Address, Cell } from '@ton/core';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createHttpClient, type HttpClient, type RawResponse } from '../http/http.client.js';
import { ProviderParseError, ProviderResponseError, snippet } from '../http/http.errors.js';
import { parseBody } from '../http/json.schemas.js';
import { validateAddress } from '../../chains/address.js';
import { addressCellBoc, addressFromCellBoc } from './jetton.js';
import { TonHeadRegressedError, TonSendRejectedError } from './toncenter.errors.js';
import {
  PROVIDER,
  balanceSchema,
  errorText,
  masterchainInfoSchema,
  normalizeTonAddress,
  rawTonAddress,
  runResultSchema,
  v2Envelope,
  v3BlocksSchema,
  v3JettonTransfersSchema,
  v3JettonWalletsSchema,
  v3MasterchainInfoSchema,
  v3TransactionsSchema,
  estimateFeeSchema,
  type TonFeeEstimate,
  type TonBlock,
  type TonJettonTransfer,
  type TonJettonWallet,
  type TonMasterchainHead,
  type TonStackEntry,
  type TonTransaction,
} from './toncenter.wire.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';

/** toncenter's API-key header. */
export const TON_API_KEY_HEADER = 'X-API-Key';
/** The shard id toncenter prints for the masterchain (and an unsplit basechain). */
export const MASTERCHAIN_SHARD = '8000000000000000';
/** Exit code toncenter reports for a get method on an account without code (not deployed). */
export const EXIT_CODE_NO_STATE = -13;

export type TonResilienceOptions = ResilienceOptions;

export interface ToncenterClientOptions {
  /** "https://toncenter.com" (v2 under /api/v2, v3 under /api/v3) or a simulator URL. */
  baseUrl: string;
  /** Sent as `X-API-Key` when set (without a key toncenter allows 1 request/s). */
  apiKey: string | null;
  resilience?: TonResilienceOptions;
  log?: Logger;
}

export type SortOrder = 'asc' | 'desc';

interface Paging {
  /** 1..1000; toncenter's default is 10. */
  limit?: number;
  offset?: number;
  sort?: SortOrder;
}

export interface TonTransactionQuery extends Paging {
  account?: string | string[];
  hash?: string;
  startLt?: bigint;
  endLt?: bigint;
  startUtime?: number;
  endUtime?: number;
  mcSeqno?: number;
}

export interface TonJettonTransferQuery extends Paging {
  ownerAddress?: string | string[];
  jettonWallet?: string | string[];
  jettonMaster?: string;
  direction?: 'in' | 'out';
  startLt?: bigint;
  endLt?: bigint;
  startUtime?: number;
  endUtime?: number;
}

export interface TonJettonWalletQuery {
  address?: string | string[];
  ownerAddress?: string | string[];
  jettonAddress?: string;
  excludeZeroBalance?: boolean;
  limit?: number;
  offset?: number;
}

export interface TonBlockQuery extends Paging {
  workchain?: number;
  shard?: string;
  seqno?: number;
  mcSeqno?: number;
}

export interface TonRunResult {
  exitCode: number;
  stack: Array<TonStackEntry | { type: 'unsupported'; kind: string }>;
}

export interface TonJettonWalletData {
  balance: bigint;
  owner: string;
  /** The master the wallet claims. */
  master: string;
}

export interface ToncenterClient {
  readonly name: string;
  readonly http: HttpClient;
  /** v2 `getMasterchainInfo`: the latest masterchain block, checked against the highest seqno seen. */
  getMasterchainInfo(): Promise<TonMasterchainHead>;
  /** v3 `masterchainInfo`: first and last masterchain blocks the indexer has (last checked like the v2 head). */
  getIndexedMasterchainInfo(): Promise<{ first: TonBlock; last: TonBlock }>;
  /** v3 `blocks` for one masterchain seqno; null when the indexer does not have it (yet). */
  getMasterchainBlock(seqno: number): Promise<TonBlock | null>;
  getBlocks(query: TonBlockQuery): Promise<TonBlock[]>;
  /** Nanotons (0 for an account that does not exist). */
  getAddressBalance(address: string): Promise<bigint>;
  runGetMethod(address: string, method: string, stack?: TonStackEntry[]): Promise<TonRunResult>;
  /** A wallet's seqno; 0 when the wallet is not deployed yet (its first message deploys it). */
  getSeqno(wallet: string): Promise<number>;
  /** The jetton wallet `master` computes for `owner` (`get_wallet_address`): the genuine one for that master. */
  getJettonWalletAddress(master: string, owner: string): Promise<string>;
  /** `get_wallet_data` of a jetton wallet; null when it is not deployed. */
  getJettonWalletData(wallet: string): Promise<TonJettonWalletData | null>;
  /** Broadcasts an external message (base64 BOC); resolves with its hash (hex), the signer's `messageHash`. */
  sendBoc(boc: string): Promise<{ messageHash: string }>;
  getTransactions(query: TonTransactionQuery): Promise<TonTransaction[]>;
  /** v3 `transactionsByMessage`: the transaction(s) a message (hex hash) caused (`in`) or came from (`out`). */
  getTransactionsByMessage(messageHash: string, direction?: 'in' | 'out'): Promise<TonTransaction[]>;
  /**
   * v2 `estimateFee`: fees of the message `body` (base64 BOC) to `address`, with `init_code`/`init_data` for a
   * contract not deployed yet. `ignoreChksig` (default true) lets an unsigned body be estimated: never send a
   * signed message to be estimated, the endpoint could broadcast it.
   */
  estimateFee(request: {
    address: string;
    body: string;
    initCode?: string | null;
    initData?: string | null;
    ignoreChksig?: boolean;
  }): Promise<TonFeeEstimate>;
  getJettonTransfers(query: TonJettonTransferQuery): Promise<TonJettonTransfer[]>;
  getJettonWallets(query: TonJettonWalletQuery): Promise<TonJettonWallet[]>;
  resetHead(): void;
}

const DEFAULT_RESILIENCE = resilienceDefaults({
  timeoutMs: 10_000,
  breaker: { kind: 'consecutive', failures: 5, halfOpenAfterMs: 15_000 },
  rateLimit: { maxWaitMs: 1_100, defaultRetryAfterMs: 1_000 },
});

function requireTon(address: string, field: string): string {
  try {
    return rawTonAddress(address);
  } catch {
    const check = validateAddress('TON', address);
    throw new TypeError(`${field}: ${check.reason ?? 'invalid TON address'}`);
  }
}

function checkPaging(paging: Paging): void {
  if (paging.limit !== undefined && (!Number.isSafeInteger(paging.limit) || paging.limit < 1 || paging.limit > 1000)) {
    throw new RangeError('limit must be 1..1000');
  }
  if (paging.offset !== undefined && (!Number.isSafeInteger(paging.offset) || paging.offset < 0))
    throw new RangeError('offset must be >= 0');
}

/** v3 list filters repeat the parameter (`?account=a&account=b`), which `HttpClient.query` cannot express. */
function v3Path(path: string, params: Array<[string, string | number | bigint | boolean | undefined]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of params) if (value !== undefined) search.append(key, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

const many = (key: string, value: string | string[] | undefined, field: string): Array<[string, string]> =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => [key, requireTon(v, field)]);

function legacyStack(entries: TonStackEntry[]): unknown[] {
  return entries.map((e) => {
    if (e.type === 'num') {
      const safe = e.value >= BigInt(Number.MIN_SAFE_INTEGER) && e.value <= BigInt(Number.MAX_SAFE_INTEGER);
      return [
        'num',
        safe ? Number(e.value) : e.value < 0n ? '-0x' + (-e.value).toString(16) : '0x' + e.value.toString(16),
      ];
    }
    return [e.type === 'cell' ? 'tvm.Cell' : 'tvm.Slice', e.boc];
  });
}

export function createToncenterClient(options: ToncenterClientOptions): ToncenterClient {
  const name = PROVIDER;
  const log = options.log?.child({ provider: name });
  const http = createHttpClient({
    name,
    baseUrl: options.baseUrl,
    ...DEFAULT_RESILIENCE,
    ...options.resilience,
    ...(options.apiKey ? { headers: { [TON_API_KEY_HEADER]: options.apiKey } } : {}),
    ...(log ? { log } : {}),
  });

  let highestSeqno: number | null = null;
  const observeHead = (seqno: number): void => {
    if (highestSeqno !== null && seqno < highestSeqno) {
      log?.warn({ previousSeqno: highestSeqno, reportedSeqno: seqno }, 'masterchain head went backwards');
      throw new TonHeadRegressedError(name, highestSeqno, seqno);
    }
    highestSeqno = seqno;
  };

  /** Unwraps a v2 envelope and validates its result. */
  const v2Result =
    <S extends z.ZodTypeAny>(schema: S) =>
    (data: unknown, raw: RawResponse): z.output<S> => {
      const envelope = parseBody(name, v2Envelope, data, raw.text);
      if (envelope.ok === false) throw new ProviderResponseError(name, raw.status, snippet(raw.text), envelope.error);
      return parseBody(name, schema, envelope.result, raw.text) as z.output<S>;
    };

  const v2Get = async <S extends z.ZodTypeAny>(
    path: string,
    query: Record<string, string>,
    schema: S,
  ): Promise<z.output<S>> =>
    (await http.get(`/api/v2/${path}`, { query, parse: 'lossless', decode: v2Result(schema) })).data;

  const v3Get = async <S extends z.ZodTypeAny>(path: string, schema: S): Promise<z.output<S>> =>
    (
      await http.get(`/api/v3/${path}`, {
        parse: 'lossless',
        decode: (data, raw) => parseBody(name, schema, data, raw.text) as z.output<S>,
      })
    ).data;

  const runGetMethod = async (address: string, method: string, stack: TonStackEntry[] = []): Promise<TonRunResult> => {
    const res = await http.post(
      '/api/v2/runGetMethod',
      { address: requireTon(address, 'address'), method, stack: legacyStack(stack) },
      { idempotent: true, parse: 'lossless', decode: v2Result(runResultSchema) },
    );
    return res.data;
  };

  const getBlocks = async (query: TonBlockQuery): Promise<TonBlock[]> => {
    checkPaging(query);
    const path = v3Path('blocks', [
      ['workchain', query.workchain],
      ['shard', query.shard],
      ['seqno', query.seqno],
      ['mc_seqno', query.mcSeqno],
      ['limit', query.limit],
      ['offset', query.offset],
      ['sort', query.sort],
    ]);
    return (await v3Get(path, v3BlocksSchema)).blocks;
  };

  const numAt = (result: TonRunResult, index: number, what: string): bigint => {
    const entry = result.stack[index];
    if (entry?.type !== 'num')
      throw new ProviderParseError(
        name,
        `${what}: stack[${index}] is not a number`,
        JSON.stringify(result.stack.map((e) => e.type)),
      );
    return entry.value;
  };

  const addressAt = (result: TonRunResult, index: number, what: string): string => {
    const entry = result.stack[index];
    if (entry?.type !== 'cell' && entry?.type !== 'slice') {
      throw new ProviderParseError(
        name,
        `${what}: stack[${index}] is not a cell`,
        JSON.stringify(result.stack.map((e) => e.type)),
      );
    }
    try {
      return normalizeTonAddress(addressFromCellBoc(entry.boc).toRawString());
    } catch (error) {
      throw new ProviderParseError(name, `${what}: stack[${index}] holds no address`, entry.boc, { cause: error });
    }
  };

  const failedGetMethod = (method: string, exitCode: number): ProviderResponseError =>
    new ProviderResponseError(name, 200, '', `${method} exited with code ${exitCode}`);

  return {
    name,
    http,
    getMasterchainInfo: async () => {
      const info = await v2Get('getMasterchainInfo', {}, masterchainInfoSchema);
      observeHead(info.seqno);
      return info;
    },
    getIndexedMasterchainInfo: async () => {
      const info = await v3Get('masterchainInfo', v3MasterchainInfoSchema);
      observeHead(info.last.seqno);
      return info;
    },
    getMasterchainBlock: async (seqno) => {
      if (!Number.isSafeInteger(seqno) || seqno < 0) throw new RangeError('seqno must be a non-negative integer');
      const blocks = await getBlocks({ workchain: -1, shard: MASTERCHAIN_SHARD, seqno, limit: 1 });
      const block = blocks[0] ?? null;
      if (block !== null && (block.workchain !== -1 || block.seqno !== seqno)) {
        throw new ProviderParseError(
          name,
          `asked for masterchain block ${seqno}, got ${block.workchain}:${block.seqno}`,
          block.rootHash,
        );
      }
      return block;
    },
    getBlocks,
    getAddressBalance: async (address) =>
      v2Get('getAddressBalance', { address: requireTon(address, 'address') }, balanceSchema),
    runGetMethod,
    getSeqno: async (wallet) => {
      const result = await runGetMethod(wallet, 'seqno');
      if (result.exitCode === EXIT_CODE_NO_STATE) return 0;
      if (result.exitCode !== 0) throw failedGetMethod('seqno', result.exitCode);
      const seqno = numAt(result, 0, 'seqno');
      if (seqno < 0n || seqno > 0xffffffffn)
        throw new ProviderParseError(name, `seqno ${seqno} is out of range`, String(seqno));
      return Number(seqno);
    },
    getJettonWalletAddress: async (master, owner) => {
      const ownerAddress = Address.parseRaw(requireTon(owner, 'owner'));
      const result = await runGetMethod(master, 'get_wallet_address', [
        { type: 'slice', boc: addressCellBoc(ownerAddress) },
      ]);
      if (result.exitCode !== 0) throw failedGetMethod('get_wallet_address', result.exitCode);
      return addressAt(result, 0, 'get_wallet_address');
    },
    getJettonWalletData: async (wallet) => {
      const result = await runGetMethod(wallet, 'get_wallet_data');
      if (result.exitCode === EXIT_CODE_NO_STATE) return null;
      if (result.exitCode !== 0) throw failedGetMethod('get_wallet_data', result.exitCode);
      return {
        balance: numAt(result, 0, 'get_wallet_data'),
        owner: addressAt(result, 1, 'get_wallet_data'),
        master: addressAt(result, 2, 'get_wallet_data'),
      };
    },
    sendBoc: async (boc) => {
      let messageHash: string;
      try {
        messageHash = Cell.fromBase64(boc).hash().toString('hex');
      } catch {
        throw new TypeError('boc must be a base64 bag of cells');
      }
      try {
        await http.post(
          '/api/v2/sendBoc',
          { boc },
          { idempotent: false, parse: 'lossless', decode: v2Result(z.unknown()) },
        );
      } catch (error) {
        const text = error instanceof ProviderResponseError ? errorText(error.bodySnippet) : null;
        if (error instanceof ProviderResponseError && error.status >= 400 && text !== null) {
          const exit = /exit_?code[=: ]+(-?\d+)/iu.exec(text);
          throw new TonSendRejectedError(
            name,
            exit ? Number(exit[1]) : null,
            text.split('\n')[0] ?? text,
            error.status,
            error.bodySnippet,
          );
        }
        throw error;
      }
      return { messageHash };
    },
    getTransactions: async (query) => {
      checkPaging(query);
      const path = v3Path('transactions', [
        ...many('account', query.account, 'account'),
        ['hash', query.hash],
        ['start_lt', query.startLt],
        ['end_lt', query.endLt],
        ['start_utime', query.startUtime],
        ['end_utime', query.endUtime],
        ['mc_seqno', query.mcSeqno],
        ['limit', query.limit],
        ['offset', query.offset],
        ['sort', query.sort],
      ]);
      return (await v3Get(path, v3TransactionsSchema)).transactions;
    },
    getTransactionsByMessage: async (messageHash, direction = 'in') => {
      if (!/^[0-9a-fA-F]{64}$/u.test(messageHash)) throw new TypeError('messageHash must be 32 bytes of hex');
      const path = v3Path('transactionsByMessage', [
        ['msg_hash', messageHash.toLowerCase()],
        ['direction', direction],
      ]);
      return (await v3Get(path, v3TransactionsSchema)).transactions;
    },
    estimateFee: async (request) => {
      const body: Record<string, unknown> = {
        address: requireTon(request.address, 'address'),
        body: request.body,
        ignore_chksig: request.ignoreChksig ?? true,
      };
      if (request.initCode) body.init_code = request.initCode;
      if (request.initData) body.init_data = request.initData;
      const res = await http.post('/api/v2/estimateFee', body, {
        idempotent: true,
        parse: 'lossless',
        decode: v2Result(estimateFeeSchema),
      });
      return res.data;
    },
    getJettonTransfers: async (query) => {
      checkPaging(query);
      const path = v3Path('jetton/transfers', [
        ...many('owner_address', query.ownerAddress, 'ownerAddress'),
        ...many('jetton_wallet', query.jettonWallet, 'jettonWallet'),
        [
          'jetton_master',
          query.jettonMaster === undefined ? undefined : requireTon(query.jettonMaster, 'jettonMaster'),
        ],
        ['direction', query.direction],
        ['start_lt', query.startLt],
        ['end_lt', query.endLt],
        ['start_utime', query.startUtime],
        ['end_utime', query.endUtime],
        ['limit', query.limit],
        ['offset', query.offset],
        ['sort', query.sort],
      ]);
      return (await v3Get(path, v3JettonTransfersSchema)).jetton_transfers;
    },
    getJettonWallets: async (query) => {
      checkPaging(query);
      const path = v3Path('jetton/wallets', [
        ...many('address', query.address, 'address'),
        ...many('owner_address', query.ownerAddress, 'ownerAddress'),
        [
          'jetton_address',
          query.jettonAddress === undefined ? undefined : requireTon(query.jettonAddress, 'jettonAddress'),
        ],
        ['exclude_zero_balance', query.excludeZeroBalance],
        ['limit', query.limit],
        ['offset', query.offset],
      ]);
      return (await v3Get(path, v3JettonWalletsSchema)).jetton_wallets;
    },
    resetHead: () => {
      highestSeqno = null;
    },
  };
}
