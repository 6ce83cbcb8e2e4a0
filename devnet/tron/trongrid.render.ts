import type { IncomingMessage, ServerResponse } from 'node:http';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { z } from 'zod';
import { JsonNumber, parseJsonLossless } from '../../providers/http/json-lossless.parser.js';
import { zSafeInteger } from '../../providers/http/json.schemas.js';
import type { FailureSpec } from '../http/simulator.failures.js';
import { readRequestBody, sendJson } from '../http/simulator.server.js';
import { validateAddress } from '../../chains/address.js';
import { tronBase58Of, tronHexOf, type ChainBlock, type ChainTx } from './state.js';
import { TRC20_TRANSFER_TOPIC } from './tron-chain.js';
import { rawDataToJson, type RawContract, type RawData } from './tron-raw-data.js';
import { zInt64 } from '../../providers/trongrid/trongrid.wire.js';

/**
 * TronGrid's wire format for the emulated chain: lossless JSON with java-tron's omitted defaults, request
 * parameters, blocks, transactions and transaction infos, the broadcast body parser, and failure answers.
 */

export const SELECTOR_BALANCE_OF = '70a08231';
export const SELECTOR_DECIMALS = '313ce567';
export const TYPE_URL = 'type.googleapis.com/protocol.';

// ---------------------------------------------------------------- JSON helpers

export const BIG = '\u0000bigint:';

/** JSON with bigints written as exact numbers (TRON's int64 fields). */
export function stringifyTron(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${BIG}${v}` : v)).replace(
    /"\\u0000bigint:(-?\d+)"/gu,
    '$1',
  );
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, stringifyTron(body));
}

export type Params = Record<string, unknown>;

export async function readParams(req: IncomingMessage, url: URL): Promise<Params | null> {
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

export function intParam(value: unknown): number | null {
  const text = value instanceof JsonNumber ? value.source : typeof value === 'string' ? value : null;
  if (text === null || !/^\d+$/u.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export function boolParam(value: unknown): boolean {
  return value === true || value === 'true';
}

/** A request address in hex (41…, visible=false) or base58 (visible=true) → 41… hex; null if invalid. */
export function addressParam(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (/^41[0-9a-fA-F]{40}$/u.test(value)) return value.toLowerCase();
  if (/^0x[0-9a-fA-F]{40}$/u.test(value)) return '41' + value.slice(2).toLowerCase();
  return validateAddress('TRON', value).valid ? tronHexOf(value) : null;
}

export const utf8Hex = (text: string): string => hex.encode(new TextEncoder().encode(text));

// ---------------------------------------------------------------- rendering (java-tron JSON, defaults omitted)

export function renderTx(tx: ChainTx, visible: boolean): Record<string, unknown> {
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

export function renderBlock(block: ChainBlock, visible: boolean): Record<string, unknown> {
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
      witness_signature:
        hex.encode(sha256(new TextEncoder().encode(block.blockID))) +
        hex.encode(sha256(new TextEncoder().encode(block.parentHash))).slice(0, 66),
    },
    ...(block.txs.length > 0 ? { transactions: block.txs.map((tx) => renderTx(tx, visible)) } : {}),
  };
}

export function renderInfo(block: ChainBlock, tx: ChainTx, visible: boolean): Record<string, unknown> {
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
        topics: [
          TRC20_TRANSFER_TOPIC,
          tx.trc20.from.slice(2).padStart(64, '0'),
          tx.trc20.to.slice(2).padStart(64, '0'),
        ],
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

export const hexBytes = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{2})*$/u)
  .transform((v) => hex.decode(v.toLowerCase()));
export const addressBytes = z
  .string()
  .regex(/^41[0-9a-fA-F]{40}$/u)
  .transform((v) => hex.decode(v.toLowerCase()));
export const optInt = zInt64.optional().transform((v) => v ?? 0n);

export const contractJson = z.object({
  type: z.string(),
  parameter: z.object({ type_url: z.string(), value: z.record(z.string(), z.unknown()) }),
  Permission_id: zSafeInteger.optional(),
});

export const broadcastBody = z.object({
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

export const transferValue = z.object({ owner_address: addressBytes, to_address: addressBytes, amount: optInt });
export const triggerValue = z.object({
  owner_address: addressBytes,
  contract_address: addressBytes,
  call_value: optInt,
  data: hexBytes.optional(),
  call_token_value: optInt,
  token_id: optInt,
});

export type ParsedBroadcast =
  { ok: true; raw: RawData; signatures: string[]; txID: string | null } | { ok: false; unsupported: string | null };

export function parseBroadcast(body: Params): ParsedBroadcast {
  const parsed = broadcastBody.safeParse(body);
  if (!parsed.success) return { ok: false, unsupported: null };
  const { raw_data: raw, signature, txID } = parsed.data;
  const c = raw.contract[0]!;
  const permissionId = c.Permission_id ?? 0;
  let contract: RawContract;
  if (c.type === 'TransferContract') {
    const v = transferValue.safeParse(c.parameter.value);
    if (!v.success) return { ok: false, unsupported: null };
    contract = {
      type: 'TransferContract',
      typeUrl: c.parameter.type_url,
      owner: v.data.owner_address,
      to: v.data.to_address,
      amount: v.data.amount,
      permissionId,
    };
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

export function renderFailure(res: ServerResponse, failure: FailureSpec): void {
  switch (failure.mode) {
    case 'hang':
      return;
    case 'rate-limit': {
      const seconds = failure.retryAfterSeconds ?? 1;
      send(res, 429, {
        Error: `request rate exceeded the allowed_rps(15), and the query server is suspended for ${seconds} s`,
      });
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
