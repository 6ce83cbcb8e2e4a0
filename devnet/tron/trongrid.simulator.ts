import type { IncomingMessage, ServerResponse } from 'node:http';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad, hex } from '@scure/base';
import { z } from 'zod';
import { JsonNumber, parseJsonLossless } from '../../providers/http/json-lossless.parser.js';
import { zSafeInteger } from '../../providers/http/json.schemas.js';
import { createFailureSwitch, type FailureSpec, type ProviderSimulator, type SimulatorOptions } from '../http/simulator.failures.js';
import { readRequestBody, sendJson, serveSimulator, type SimulatorHandler } from '../http/simulator.server.js';
import { usdtOf } from '../../platform/money/assets.js';
import { validateAddress } from '../../chains/address.js';
import { signDigest, tronBase58Of, tronHexOf, tronHexOfKey, type ChainBlock, type ChainTx, type TronChainOptions, type TronFees } from './state.js';
import { TRC20_TRANSFER_TOPIC, TronChain } from './tron-chain.js';
import { encodeRawData, rawDataToJson, type RawContract, type RawData } from './tron-raw-data.js';
import { TRON_API_KEY_HEADER } from '../../providers/trongrid/trongrid.client.js';
import { zInt64 } from '../../providers/trongrid/trongrid.wire.js';

/**
 * Serves the TronGrid HTTP API (FullNode `/wallet/*`, `/walletsolidity/*`, and TronGrid v1 TRC20 history) over an
 * in-memory chain, in the same wire format the client parses (see trongrid.wire.ts for the documents):
 * blocks on an interval or by `mine()`, TRX and TRC20 (USDT at its mainnet address from the asset catalogue)
 * balances, `broadcasttransaction` of transactions signed by `signTronTransfer` (txID recomputed from raw_data,
 * signature recovered to owner_address, TAPOS, expiration, duplicates, balances), a faucet, reorgs and failures.
 */

export interface TronSimulatorOptions extends Pick<SimulatorOptions, 'failMode'>, Omit<TronChainOptions, 'fees'> {
  /** Milliseconds between blocks; null = only `mine()`/`send()` make blocks (tests). Default 3,000. */
  blockIntervalMs?: number | null;
  /** When set, requests must carry it in `TRON-PRO-API-KEY` (401 otherwise). */
  apiKey?: string | null;
  fees?: Partial<TronFees>;
  /** Faucet genesis allocation. Default 10^9 TRX and 10^9 USDT. */
  faucetTrx?: bigint;
  faucetUsdt?: bigint;
}

export interface TronFaucetRequest {
  /** base58 `T…` recipient. */
  to: string;
  /** Minor units: sun for TRX, token units (6 decimals for USDT). */
  amount: bigint;
  /** 'USDT' or a registered TRC20 contract address; TRX when absent. */
  token?: string;
}

export interface TronFaucetReceipt {
  txID: string;
  blockNumber: number;
  blockID: string;
}

export interface TronChainSimulator {
  /** The HTTP handler (mount it on any server; `startTronSimulator` serves it on an ephemeral port). */
  readonly handler: SimulatorHandler;
  readonly chain: TronChain;
  readonly faucetAddress: string;
  readonly usdtContract: string;
  /** Seals the mempool into `count` blocks (the first holds pending transactions); returns the new head height. */
  mine(count?: number): number;
  /** Devnet faucet: a signed transfer from the faucet, mined into a new block at once. */
  send(request: TronFaucetRequest): TronFaucetReceipt;
  /** Replaces the last `depth` blocks with different ones (see TronChain.reorg). */
  reorg(depth: number, options?: { reinclude?: boolean }): { removed: string[]; head: number };
  /** Registers another TRC20 (e.g. a look-alike "USDT" at another address); returns its address. */
  addToken(token: { symbol: string; name: string; decimals: number; address?: string }): string;
  /** TRX (no token) or token balance of a base58 address. */
  balance(address: string, token?: string): bigint;
  /** Serve heads `blocks` behind the real one (a lagging node: the head appears to go backwards). 0 = honest. */
  setHeadLag(blocks: number): void;
  setFailure(spec: Parameters<ProviderSimulator['setFailure']>[0]): void;
  requestCount(): number;
  /** Stops interval mining. */
  stop(): void;
}

export interface TronSimulator extends TronChainSimulator, ProviderSimulator {}

/** A fixed, public devnet key: the faucet holds only simulator money. */
const FAUCET_KEY = sha256(new TextEncoder().encode('trongrid-simulator faucet key (devnet only)'));
const SELECTOR_BALANCE_OF = '70a08231';
const SELECTOR_DECIMALS = '313ce567';
const TYPE_URL = 'type.googleapis.com/protocol.';

// ---------------------------------------------------------------- JSON helpers

const BIG = '\u0000bigint:';

/** JSON with bigints written as exact numbers (TRON's int64 fields). */
function stringifyTron(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${BIG}${v}` : v)).replace(
    /"\\u0000bigint:(-?\d+)"/gu,
    '$1',
  );
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, stringifyTron(body));
}

type Params = Record<string, unknown>;

async function readParams(req: IncomingMessage, url: URL): Promise<Params | null> {
  const params: Params = Object.fromEntries(url.searchParams);
  if (req.method === 'POST') {
    const text = await readRequestBody(req);
    if (text.trim() !== '') {
      let body: unknown;
      try {
        body = parseJsonLossless(text);
      } catch {
        return null;
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
      Object.assign(params, body);
    }
  }
  return params;
}

function intParam(value: unknown): number | null {
  const text = value instanceof JsonNumber ? value.source : typeof value === 'string' ? value : null;
  if (text === null || !/^\d+$/u.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

function boolParam(value: unknown): boolean {
  return value === true || value === 'true';
}

/** A request address in hex (41…, visible=false) or base58 (visible=true) → 41… hex; null if invalid. */
function addressParam(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (/^41[0-9a-fA-F]{40}$/u.test(value)) return value.toLowerCase();
  if (/^0x[0-9a-fA-F]{40}$/u.test(value)) return '41' + value.slice(2).toLowerCase();
  return validateAddress('TRON', value).valid ? tronHexOf(value) : null;
}

const utf8Hex = (text: string): string => hex.encode(new TextEncoder().encode(text));

// ---------------------------------------------------------------- rendering (java-tron JSON, defaults omitted)

function renderTx(tx: ChainTx, visible: boolean): Record<string, unknown> {
  const rawData = rawDataToJson(tx.raw);
  if (visible) {
    const value = (rawData.contract as Array<{ parameter: { value: Record<string, unknown> } }>)[0]!.parameter.value;
    for (const key of ['owner_address', 'to_address', 'contract_address']) {
      if (typeof value[key] === 'string') value[key] = tronBase58Of(value[key] as string);
    }
  }
  return {
    ret: [{ contractRet: tx.contractRet }],
    signature: tx.signatures,
    txID: tx.txID,
    raw_data: rawData,
    raw_data_hex: tx.rawHex,
    ...(visible ? { visible: true } : {}),
  };
}

function renderBlock(block: ChainBlock, visible: boolean): Record<string, unknown> {
  return {
    blockID: block.blockID,
    block_header: {
      raw_data: {
        number: block.number,
        txTrieRoot: block.txTrieRoot,
        witness_address: visible ? tronBase58Of(block.witness) : block.witness,
        parentHash: block.parentHash,
        version: 31,
        timestamp: block.timestamp,
      },
      witness_signature: hex.encode(sha256(new TextEncoder().encode(block.blockID))) + hex.encode(sha256(new TextEncoder().encode(block.parentHash))).slice(0, 66),
    },
    ...(block.txs.length > 0 ? { transactions: block.txs.map((tx) => renderTx(tx, visible)) } : {}),
  };
}

function renderInfo(block: ChainBlock, tx: ChainTx, visible: boolean): Record<string, unknown> {
  const c = tx.raw.contract;
  const base: Record<string, unknown> = {
    id: tx.txID,
    ...(tx.fee > 0n ? { fee: tx.fee } : {}),
    blockNumber: block.number,
    blockTimeStamp: block.timestamp,
    contractResult: [c.type === 'TriggerSmartContract' && tx.contractRet === 'SUCCESS' ? '0'.repeat(63) + '1' : ''],
  };
  if (c.type === 'TransferContract') {
    return { ...base, receipt: tx.netFee > 0n ? { net_fee: tx.netFee } : { net_usage: 267 } };
  }
  const contractHex = hex.encode(c.contract);
  const out: Record<string, unknown> = {
    ...base,
    contract_address: visible ? tronBase58Of(contractHex) : contractHex,
    receipt: { energy_fee: tx.energyFee, energy_usage_total: tx.energyUsage, net_usage: 345, result: tx.contractRet },
  };
  if (tx.trc20) {
    const logAddress = tx.trc20.token.slice(2);
    out.log = [
      {
        address: visible ? tronBase58Of(tx.trc20.token) : logAddress,
        topics: [TRC20_TRANSFER_TOPIC, tx.trc20.from.slice(2).padStart(64, '0'), tx.trc20.to.slice(2).padStart(64, '0')],
        data: tx.trc20.value.toString(16).padStart(64, '0'),
      },
    ];
  }
  if (tx.contractRet !== 'SUCCESS') {
    out.result = 'FAILED';
    out.resMessage = utf8Hex(tx.resMessage ?? tx.contractRet);
  }
  return out;
}

// ---------------------------------------------------------------- broadcast body

const hexBytes = z.string().regex(/^(?:[0-9a-fA-F]{2})*$/u).transform((v) => hex.decode(v.toLowerCase()));
const addressBytes = z.string().regex(/^41[0-9a-fA-F]{40}$/u).transform((v) => hex.decode(v.toLowerCase()));
const optInt = zInt64.optional().transform((v) => v ?? 0n);

const contractJson = z.object({
  type: z.string(),
  parameter: z.object({ type_url: z.string(), value: z.record(z.string(), z.unknown()) }),
  Permission_id: zSafeInteger.optional(),
});

const broadcastBody = z.object({
  txID: z.string().optional(),
  raw_data: z.object({
    contract: z.array(contractJson).length(1),
    ref_block_bytes: hexBytes,
    ref_block_num: optInt,
    ref_block_hash: hexBytes,
    expiration: zInt64,
    data: hexBytes.optional(),
    timestamp: optInt,
    fee_limit: optInt,
  }),
  signature: z.array(z.string().regex(/^[0-9a-fA-F]+$/u)),
});

const transferValue = z.object({ owner_address: addressBytes, to_address: addressBytes, amount: optInt });
const triggerValue = z.object({
  owner_address: addressBytes,
  contract_address: addressBytes,
  call_value: optInt,
  data: hexBytes.optional(),
  call_token_value: optInt,
  token_id: optInt,
});

type ParsedBroadcast = { ok: true; raw: RawData; signatures: string[]; txID: string | null } | { ok: false; unsupported: string | null };

function parseBroadcast(body: Params): ParsedBroadcast {
  const parsed = broadcastBody.safeParse(body);
  if (!parsed.success) return { ok: false, unsupported: null };
  const { raw_data: raw, signature, txID } = parsed.data;
  const c = raw.contract[0]!;
  const permissionId = c.Permission_id ?? 0;
  let contract: RawContract;
  if (c.type === 'TransferContract') {
    const v = transferValue.safeParse(c.parameter.value);
    if (!v.success) return { ok: false, unsupported: null };
    contract = { type: 'TransferContract', typeUrl: c.parameter.type_url, owner: v.data.owner_address, to: v.data.to_address, amount: v.data.amount, permissionId };
  } else if (c.type === 'TriggerSmartContract') {
    const v = triggerValue.safeParse(c.parameter.value);
    if (!v.success) return { ok: false, unsupported: null };
    contract = {
      type: 'TriggerSmartContract',
      typeUrl: c.parameter.type_url,
      owner: v.data.owner_address,
      contract: v.data.contract_address,
      callValue: v.data.call_value,
      data: v.data.data ?? new Uint8Array(),
      callTokenValue: v.data.call_token_value,
      tokenId: v.data.token_id,
      permissionId,
    };
  } else {
    return { ok: false, unsupported: c.type };
  }
  return {
    ok: true,
    raw: {
      refBlockBytes: raw.ref_block_bytes,
      refBlockNum: raw.ref_block_num,
      refBlockHash: raw.ref_block_hash,
      expiration: raw.expiration,
      data: raw.data ?? new Uint8Array(),
      contract,
      timestamp: raw.timestamp,
      feeLimit: raw.fee_limit,
    },
    signatures: signature,
    txID: txID ?? null,
  };
}

// ---------------------------------------------------------------- failures

function renderFailure(res: ServerResponse, failure: FailureSpec): void {
  switch (failure.mode) {
    case 'hang':
      return;
    case 'rate-limit': {
      const seconds = failure.retryAfterSeconds ?? 1;
      send(res, 429, { Error: `request rate exceeded the allowed_rps(15), and the query server is suspended for ${seconds} s` });
      return;
    }
    case 'server-error':
      send(res, 500, { Error: 'class java.lang.NullPointerException : null' });
      return;
    case 'malformed-json':
      sendJson(res, 200, '{"blockID":"0000000004c4b4');
      return;
  }
}

// ---------------------------------------------------------------- the simulator

export function createTronSimulator(options: TronSimulatorOptions = {}): TronChainSimulator {
  const chain = new TronChain(options);
  const usdtInfo = usdtOf('TRON');
  const usdt = chain.addToken({ address: usdtInfo.contract!, symbol: 'USDT', name: 'Tether USD', decimals: usdtInfo.decimals });
  const faucetHex = tronHexOfKey(FAUCET_KEY);
  chain.allocate(faucetHex, options.faucetTrx ?? 10n ** 15n, [{ token: usdt.hex, amount: options.faucetUsdt ?? 10n ** 15n }]);
  const failures = createFailureSwitch(options.failMode ?? null);
  const apiKey = options.apiKey ?? null;
  let requests = 0;
  let headLag = 0;

  const servedHead = (solidified: boolean): ChainBlock => {
    const head = solidified ? chain.solidifiedHead : chain.head;
    return chain.blockByNumber(Math.max(chain.startHeight, head.number - headLag)) ?? head;
  };

  const resolveToken = (token: string): string => {
    if (token === 'USDT') return usdt.hex;
    const hexToken = addressParam(token);
    if (!hexToken || !chain.token(hexToken)) throw new Error(`unknown TRC20 token ${token}`);
    return hexToken;
  };

  const mine = (count = 1): number => {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    for (let i = 0; i < count; i++) chain.mine();
    return chain.head.number;
  };

  const faucetSend = (request: TronFaucetRequest): TronFaucetReceipt => {
    const check = validateAddress('TRON', request.to);
    if (!check.valid) throw new Error(`faucet: ${check.reason ?? 'invalid address'}`);
    if (request.amount <= 0n) throw new RangeError('faucet: amount must be positive');
    const head = chain.head;
    const owner = hex.decode(faucetHex);
    const to = hex.decode(tronHexOf(request.to));
    let contract: RawContract;
    let feeLimit = 0n;
    if (request.token === undefined) {
      contract = { type: 'TransferContract', typeUrl: TYPE_URL + 'TransferContract', owner, to, amount: request.amount, permissionId: 0 };
    } else {
      const token = resolveToken(request.token);
      const data = hex.decode('a9059cbb' + hex.encode(to.subarray(1)).padStart(64, '0') + request.amount.toString(16).padStart(64, '0'));
      contract = {
        type: 'TriggerSmartContract', typeUrl: TYPE_URL + 'TriggerSmartContract', owner, contract: hex.decode(token),
        callValue: 0n, data, callTokenValue: 0n, tokenId: 0n, permissionId: 0,
      };
      feeLimit = 100_000_000n;
    }
    const now = BigInt(Math.max(Date.now(), head.timestamp));
    const raw: RawData = {
      refBlockBytes: hex.decode(head.blockID.slice(12, 16)),
      refBlockNum: 0n,
      refBlockHash: hex.decode(head.blockID.slice(16, 32)),
      expiration: BigInt(head.timestamp) + 60_000n,
      data: new Uint8Array(),
      contract,
      timestamp: now,
      feeLimit,
    };
    const txid = sha256(encodeRawData(raw));
    const outcome = chain.submit(raw, [signDigest(txid, FAUCET_KEY)], null);
    if (outcome.kind !== 'accepted') throw new Error(`faucet transfer refused: ${outcome.code}: ${outcome.message}`);
    if (outcome.tx.contractRet !== 'SUCCESS') throw new Error(`faucet transfer failed on chain: ${outcome.tx.contractRet}`);
    const block = chain.mine();
    return { txID: outcome.txid, blockNumber: block.number, blockID: block.blockID };
  };

  /** TronGrid v1 TRC20 history of `owner` from the chain's blocks. */
  const trc20History = (res: ServerResponse, ownerHex: string, params: Params, url: URL): void => {
    if (boolParam(params.only_confirmed) && boolParam(params.only_unconfirmed)) {
      send(res, 400, { success: false, error: 'only_confirmed and only_unconfirmed cannot be used together', statusCode: 400 });
      return;
    }
    const limit = params.limit === undefined ? 20 : intParam(params.limit);
    if (limit === null || limit < 1 || limit > 200) {
      send(res, 400, { success: false, error: 'limit must be between 1 and 200', statusCode: 400 });
      return;
    }
    const asc = params.order_by === 'block_timestamp,asc';
    const contract = params.contract_address === undefined ? null : addressParam(params.contract_address);
    const minTs = intParam(params.min_timestamp ?? params.min_block_timestamp) ?? 0;
    const maxTs = intParam(params.max_timestamp ?? params.max_block_timestamp) ?? Number.MAX_SAFE_INTEGER;
    const solid = chain.solidifiedHead.number;
    const rows: Array<{ key: string; row: Record<string, unknown> }> = [];
    for (const block of chain.blocks) {
      if (boolParam(params.only_confirmed) && block.number > solid) continue;
      if (boolParam(params.only_unconfirmed) && block.number <= solid) continue;
      if (block.timestamp < minTs || block.timestamp > maxTs) continue;
      block.txs.forEach((tx, index) => {
        const t = tx.trc20;
        if (!t || (contract !== null && t.token !== contract)) return;
        const incoming = t.to === ownerHex;
        const outgoing = t.from === ownerHex;
        if (!incoming && !outgoing) return;
        if (boolParam(params.only_to) && !boolParam(params.only_from) && !incoming) return;
        if (boolParam(params.only_from) && !boolParam(params.only_to) && !outgoing) return;
        const token = chain.token(t.token)!;
        rows.push({
          key: `${block.number}:${index}`,
          row: {
            transaction_id: tx.txID,
            token_info: { symbol: token.symbol, address: token.address, decimals: token.decimals, name: token.name },
            block_timestamp: block.timestamp,
            from: tronBase58Of(t.from),
            to: tronBase58Of(t.to),
            type: 'Transfer',
            value: t.value.toString(),
          },
        });
      });
    }
    if (!asc) rows.reverse();
    let start = 0;
    if (typeof params.fingerprint === 'string') {
      const key = new TextDecoder().decode(base64urlnopad.decode(params.fingerprint));
      start = rows.findIndex((r) => r.key === key) + 1;
      if (start === 0) {
        send(res, 400, { success: false, error: 'invalid fingerprint', statusCode: 400 });
        return;
      }
    }
    const page = rows.slice(start, start + limit);
    const more = start + limit < rows.length;
    const meta: Record<string, unknown> = { at: Date.now(), page_size: page.length };
    if (more) {
      const fingerprint = base64urlnopad.encode(new TextEncoder().encode(page[page.length - 1]!.key));
      const next = new URL(url);
      next.searchParams.set('fingerprint', fingerprint);
      meta.fingerprint = fingerprint;
      meta.links = { next: next.toString() };
    }
    send(res, 200, { data: page.map((r) => r.row), success: true, meta });
  };

  const constantCall = (res: ServerResponse, params: Params): void => {
    const owner = addressParam(params.owner_address);
    const contractHex = addressParam(params.contract_address);
    if (owner === null || contractHex === null) {
      send(res, 200, { result: { code: 'OTHER_ERROR', message: utf8Hex('class org.tron.core.exception.ContractValidateException : invalid address') } });
      return;
    }
    const token = chain.token(contractHex);
    if (!token) {
      send(res, 200, { result: { code: 'CONTRACT_VALIDATE_ERROR', message: 'Smart contract is not exist.' } });
      return;
    }
    let data: string;
    if (typeof params.data === 'string') data = params.data.toLowerCase();
    else if (params.function_selector === 'balanceOf(address)') data = SELECTOR_BALANCE_OF + String(params.parameter ?? '').toLowerCase();
    else if (params.function_selector === 'decimals()') data = SELECTOR_DECIMALS;
    else data = '';
    const head = chain.head;
    const raw: RawData = {
      refBlockBytes: hex.decode(head.blockID.slice(12, 16)), refBlockNum: 0n, refBlockHash: hex.decode(head.blockID.slice(16, 32)),
      expiration: BigInt(head.timestamp) + 60_000n, data: new Uint8Array(), timestamp: BigInt(head.timestamp), feeLimit: 0n,
      contract: {
        type: 'TriggerSmartContract', typeUrl: TYPE_URL + 'TriggerSmartContract', owner: hex.decode(owner), contract: hex.decode(contractHex),
        callValue: 0n, data: /^(?:[0-9a-f]{2})*$/u.test(data) ? hex.decode(data) : new Uint8Array(), callTokenValue: 0n, tokenId: 0n, permissionId: 0,
      },
    };
    const rawBytes = encodeRawData(raw);
    const transaction = (failed: boolean) => ({
      ret: [failed ? { ret: 'FAILED' } : {}],
      visible: false,
      txID: hex.encode(sha256(rawBytes)),
      raw_data: rawDataToJson(raw),
      raw_data_hex: hex.encode(rawBytes),
    });
    let word: string | null = null;
    if (data.length === 8 + 64 && data.startsWith(SELECTOR_BALANCE_OF) && data.slice(8, 32) === '0'.repeat(24)) {
      word = chain.tokenBalance(contractHex, '41' + data.slice(32)).toString(16).padStart(64, '0');
    } else if (data === SELECTOR_DECIMALS) {
      word = token.decimals.toString(16).padStart(64, '0');
    }
    if (word === null) {
      send(res, 200, { result: { result: true, message: 'REVERT opcode executed' }, energy_used: 211, constant_result: [''], transaction: transaction(true) });
      return;
    }
    send(res, 200, { result: { result: true }, energy_used: 935, constant_result: [word], transaction: transaction(false) });
  };

  const broadcast = (res: ServerResponse, params: Params): void => {
    const parsed = parseBroadcast(params);
    if (!parsed.ok) {
      if (parsed.unsupported !== null) {
        send(res, 200, { result: false, code: 'CONTRACT_VALIDATE_ERROR', message: utf8Hex(`contract type ${parsed.unsupported} is not supported by the simulator`) });
        return;
      }
      send(res, 200, { Error: 'class java.lang.NullPointerException : null' });
      return;
    }
    const outcome = chain.submit(parsed.raw, parsed.signatures, parsed.txID);
    if (outcome.kind === 'accepted') send(res, 200, { result: true, code: 'SUCCESS', txid: outcome.txid });
    else send(res, 200, { result: false, code: outcome.code, message: utf8Hex(outcome.message), txid: outcome.txid });
  };

  const handler: SimulatorHandler = async (req, res, url) => {
    requests += 1;
    const failure = failures.take();
    if (failure) return renderFailure(res, failure);
    if (apiKey !== null && req.headers[TRON_API_KEY_HEADER.toLowerCase()] !== apiKey) {
      send(res, 401, { Error: 'ApiKey not exists' });
      return;
    }
    const params = await readParams(req, url);
    if (params === null) {
      send(res, 200, { Error: 'class org.tron.json.JSONException : invalid JSON body' });
      return;
    }
    const visible = boolParam(params.visible);
    const path = url.pathname;
    const history = /^\/v1\/accounts\/([^/]+)\/transactions\/trc20$/u.exec(path);
    if (history) {
      const owner = addressParam(decodeURIComponent(history[1]!));
      if (owner === null) send(res, 400, { success: false, error: 'invalid address', statusCode: 400 });
      else trc20History(res, owner, params, url);
      return;
    }
    const solid = path.startsWith('/walletsolidity/');
    const method = path.replace(/^\/wallet(?:solidity)?\//u, '');
    const visibleHead = solid ? chain.solidifiedHead.number : chain.head.number;
    const servable = (num: number): ChainBlock | null => (num <= visibleHead ? chain.blockByNumber(num) : null);
    switch (method) {
      case 'getnowblock':
        send(res, 200, renderBlock(servedHead(solid), visible));
        return;
      case 'getblockbynum': {
        const num = intParam(params.num ?? '0');
        if (num === null) return send(res, 200, { Error: 'class java.lang.NumberFormatException : For input string' });
        const block = servable(num);
        send(res, 200, block ? renderBlock(block, visible) : {});
        return;
      }
      case 'getblockbylimitnext': {
        const start = intParam(params.startNum);
        const end = intParam(params.endNum);
        if (start === null || end === null || end <= start || end - start > 100) {
          send(res, 200, { Error: 'class java.lang.IllegalArgumentException : startNum/endNum must satisfy endNum > startNum and endNum - startNum <= 100' });
          return;
        }
        const blocks: ChainBlock[] = [];
        for (let n = start; n < end; n++) {
          const block = servable(n);
          if (block) blocks.push(block);
        }
        send(res, 200, blocks.length ? { block: blocks.map((b) => renderBlock(b, visible)) } : {});
        return;
      }
      case 'gettransactioninfobyblocknum': {
        const num = intParam(params.num);
        if (num === null || num <= 0) return send(res, 200, {});
        const block = servable(num);
        send(res, 200, block ? block.txs.map((tx) => renderInfo(block, tx, visible)) : []);
        return;
      }
      case 'gettransactioninfobyid':
      case 'gettransactionbyid': {
        const id = typeof params.value === 'string' ? params.value.toLowerCase() : '';
        const found = chain.findTransaction(id);
        if (!found || found.block.number > visibleHead) return send(res, 200, {});
        send(res, 200, method === 'gettransactionbyid' ? renderTx(found.tx, visible) : renderInfo(found.block, found.tx, visible));
        return;
      }
      case 'getaccount': {
        const address = addressParam(params.address);
        if (address === null) return send(res, 200, { Error: 'class org.tron.core.services.http.JsonFormat$ParseException : INVALID hex String' });
        const account = chain.account(address);
        if (!account) return send(res, 200, {});
        send(res, 200, {
          address: visible ? tronBase58Of(address) : address,
          ...(account.balance > 0n ? { balance: account.balance } : {}),
          create_time: account.createTime,
          net_window_size: 28_800_000,
          account_resource: { energy_window_size: 28_800_000 },
        });
        return;
      }
      case 'triggerconstantcontract':
        if (solid || req.method !== 'POST') return send(res, 405, { Error: 'method not allowed' });
        constantCall(res, params);
        return;
      case 'broadcasttransaction':
        if (solid || req.method !== 'POST') return send(res, 405, { Error: 'method not allowed' });
        broadcast(res, params);
        return;
      default:
        send(res, 404, { Error: `no such API: ${path}` });
    }
  };

  const intervalMs = options.blockIntervalMs === undefined ? 3_000 : options.blockIntervalMs;
  const timer = intervalMs === null ? null : setInterval(() => chain.mine(), intervalMs);
  timer?.unref();

  return {
    handler,
    chain,
    faucetAddress: tronBase58Of(faucetHex),
    usdtContract: usdt.address,
    mine,
    send: faucetSend,
    reorg: (depth, opts) => {
      const { removed } = chain.reorg(depth, opts);
      return { removed: removed.map((b) => b.blockID), head: chain.head.number };
    },
    addToken: (token) => {
      const address = token.address ?? tronBase58Of('41' + hex.encode(sha256(new TextEncoder().encode(`token ${token.symbol} ${chain.tokens.length}`)).subarray(0, 20)));
      const added = chain.addToken({ address, symbol: token.symbol, name: token.name, decimals: token.decimals });
      chain.allocate(faucetHex, 0n, [{ token: added.hex, amount: options.faucetUsdt ?? 10n ** 15n }]);
      return added.address;
    },
    balance: (address, token) => {
      const owner = tronHexOf(address);
      return token === undefined ? (chain.account(owner)?.balance ?? 0n) : chain.tokenBalance(resolveToken(token), owner);
    },
    setHeadLag: (blocks) => {
      if (!Number.isSafeInteger(blocks) || blocks < 0) throw new RangeError('lag must be a non-negative integer');
      headLag = blocks;
    },
    setFailure: failures.set,
    requestCount: () => requests,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}

/** The simulator served on 127.0.0.1 at an ephemeral port. */
export function startTronSimulator(options: TronSimulatorOptions = {}): Promise<TronSimulator> {
  return serveSimulator(createTronSimulator(options));
}
