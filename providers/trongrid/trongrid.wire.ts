import { hex } from '@scure/base';
import { z } from 'zod';
import { ProviderResponseError, snippet } from '../http/http.errors.js';
import type { RawResponse } from '../http/http.client.js';
import { zJsonNumber, zSafeInteger } from '../http/json.schemas.js';
import { encodeTronAddress } from '../../chains/address.js';

/**
 * TronGrid wire formats (java-tron FullNode HTTP API with `visible = false`, and the TronGrid v1 API), from
 * github.com/tronprotocol/documentation-en `docs/api/http/**` (getnowblock, getblockbynum, getblockbylimitnext,
 * gettransactioninfobyblocknum, gettransactioninfobyid, gettransactionbyid, getaccount, triggerconstantcontract,
 * broadcasttransaction) and developers.tron.network "Get TRC-20 transaction info by account address":
 * - bodies are protobuf messages rendered as JSON: **fields at their default value are omitted** (an empty block
 *   has no `transactions`, a successful TransactionInfo has no `result`, a zero `fee` is absent) and an unknown
 *   block/account/transaction is `{}`;
 * - with `visible = false` addresses are 21-byte hex with the 0x41 prefix, except `log[].address`, which is the
 *   20-byte EVM form; hashes and ids are hex without `0x`;
 * - node errors come as HTTP 200 `{ "Error": "<exceptionClass> : <message>" }`; broadcast failures as
 *   `{ result: false, code, message (hex of UTF-8), txid }`;
 * - TronGrid rate limits: `{"Error":"request rate exceeded the allowed_rps(N), and the query server is suspended
 *   for S s"}` with HTTP 403/429/503;
 * - `/v1/accounts/{address}/transactions/trc20` → `{ data: [{ transaction_id, token_info: { symbol, address,
 *   decimals, name }, block_timestamp, from, to, type, value }], success, meta: { at, page_size, fingerprint?,
 *   links?: { next } } }`, base58 addresses, `value` a decimal string.
 * Amounts (sun, token units) are parsed losslessly into bigint.
 */

export const PROVIDER = 'trongrid';

/** An integer JSON number (int64 in the protobuf) → bigint, exactly. */
export const zInt64 = zJsonNumber.transform((value, ctx) => {
  if (!/^-?\d+$/u.test(value.source)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not an integer: ${value.source}` });
    return z.NEVER;
  }
  return BigInt(value.source);
});

const zHex = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{2})*$/u, 'expected hex bytes')
  .transform((v) => v.toLowerCase());
const zHash32 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/u, 'expected a 32-byte hex id')
  .transform((v) => v.toLowerCase());

/** 21-byte hex (0x41…) → base58check `T…`. */
export const zTronHexAddress = z
  .string()
  .regex(/^41[0-9a-fA-F]{40}$/u, 'expected a 21-byte 0x41… hex address')
  .transform((v) => encodeTronAddress(hex.decode(v.slice(2).toLowerCase())));

/** 20-byte EVM-form hex (TransactionInfo.log[].address) → base58check `T…`. */
export const zTronLogAddress = z
  .string()
  .regex(/^(?:41)?[0-9a-fA-F]{40}$/u, 'expected a 20-byte hex address')
  .transform((v) => encodeTronAddress(hex.decode(v.slice(-40).toLowerCase())));

const optionalInt64 = zInt64.optional().transform((v) => v ?? 0n);

const transferValue = z.object({ owner_address: zTronHexAddress, to_address: zTronHexAddress, amount: optionalInt64 });
const triggerValue = z.object({
  owner_address: zTronHexAddress,
  contract_address: zTronHexAddress,
  data: zHex.optional().transform((v) => v ?? ''),
  call_value: optionalInt64,
});

export type TronContract =
  | { type: 'TransferContract'; owner: string; to: string; amount: bigint }
  | { type: 'TriggerSmartContract'; owner: string; contract: string; data: string; callValue: bigint }
  /** Any other system contract (staking, votes, TRC10 …): not a deposit, kept by name only. */
  | { type: 'Other'; contractType: string };

const contractSchema = z
  .object({ type: z.string(), parameter: z.object({ value: z.unknown(), type_url: z.string().optional() }) })
  .transform((contract, ctx): TronContract => {
    const fail = (error: z.ZodError): typeof z.NEVER => {
      for (const issue of error.issues) ctx.addIssue({ ...issue, path: ['parameter', 'value', ...issue.path] });
      return z.NEVER;
    };
    if (contract.type === 'TransferContract') {
      const v = transferValue.safeParse(contract.parameter.value);
      if (!v.success) return fail(v.error);
      return { type: 'TransferContract', owner: v.data.owner_address, to: v.data.to_address, amount: v.data.amount };
    }
    if (contract.type === 'TriggerSmartContract') {
      const v = triggerValue.safeParse(contract.parameter.value);
      if (!v.success) return fail(v.error);
      const { owner_address, contract_address, data, call_value } = v.data;
      return {
        type: 'TriggerSmartContract',
        owner: owner_address,
        contract: contract_address,
        data,
        callValue: call_value,
      };
    }
    return { type: 'Other', contractType: contract.type };
  });

export const transactionSchema = z
  .object({
    txID: zHash32,
    ret: z.array(z.object({ contractRet: z.string().optional() }).passthrough()).optional(),
    signature: z.array(zHex).optional(),
    raw_data: z.object({
      contract: z.array(contractSchema).min(1),
      ref_block_bytes: zHex.optional(),
      ref_block_hash: zHex.optional(),
      expiration: zSafeInteger.optional(),
      timestamp: zSafeInteger.optional(),
      fee_limit: zInt64.optional(),
    }),
    raw_data_hex: zHex.optional(),
  })
  .transform((tx) => ({
    txID: tx.txID,
    /** `ret[0].contractRet`: SUCCESS, REVERT, OUT_OF_ENERGY …; null when the node sent none. */
    contractRet: tx.ret?.[0]?.contractRet ?? null,
    /** The first contract (wallets and TronGrid create exactly one per transaction). */
    contract: tx.raw_data.contract[0]!,
    feeLimit: tx.raw_data.fee_limit ?? null,
    expiration: tx.raw_data.expiration ?? null,
    timestamp: tx.raw_data.timestamp ?? null,
    signatures: tx.signature ?? [],
    rawDataHex: tx.raw_data_hex ?? null,
  }));

export type TronTransaction = z.output<typeof transactionSchema>;

export const blockSchema = z
  .object({
    blockID: zHash32,
    block_header: z.object({
      raw_data: z.object({
        number: zSafeInteger.optional(),
        timestamp: zSafeInteger.optional(),
        parentHash: zHash32.optional(),
        witness_address: zTronHexAddress.optional(),
        txTrieRoot: zHex.optional(),
        version: zSafeInteger.optional(),
      }),
      witness_signature: zHex.optional(),
    }),
    transactions: z.array(transactionSchema).optional(),
  })
  .transform((block) => {
    const raw = block.block_header.raw_data;
    return {
      number: raw.number ?? 0,
      blockID: block.blockID,
      parentHash: raw.parentHash ?? '0'.repeat(64),
      /** Milliseconds since the epoch. */
      timestamp: raw.timestamp ?? 0,
      witnessAddress: raw.witness_address ?? null,
      transactions: block.transactions ?? [],
    };
  })
  .superRefine((block, ctx) => {
    // The first 8 bytes of a TRON block id are its height: a cheap consistency check on what the node sent.
    if (BigInt('0x' + block.blockID.slice(0, 16)) !== BigInt(block.number)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `blockID ${block.blockID} does not encode height ${block.number}`,
      });
    }
  });

export type TronBlock = z.output<typeof blockSchema>;

/** `{}` (unknown block) or a block. */
export const maybeBlockSchema = z.union([
  z
    .object({})
    .strict()
    .transform(() => null),
  blockSchema,
]);

export const blockListSchema = z.union([
  z
    .object({})
    .strict()
    .transform(() => [] as TronBlock[]),
  z.object({ block: z.array(blockSchema).optional() }).transform((v) => v.block ?? []),
]);

const logSchema = z.object({
  address: zTronLogAddress,
  topics: z
    .array(zHash32)
    .optional()
    .transform((v) => v ?? []),
  data: zHex.optional().transform((v) => v ?? ''),
});

export type TronLog = z.output<typeof logSchema>;

export const transactionInfoSchema = z
  .object({
    id: zHash32,
    fee: optionalInt64,
    blockNumber: zSafeInteger,
    blockTimeStamp: zSafeInteger,
    contract_address: zTronHexAddress.optional(),
    receipt: z
      .object({
        result: z.string().optional(),
        energy_fee: optionalInt64,
        energy_usage_total: optionalInt64,
        net_fee: optionalInt64,
        net_usage: optionalInt64,
      })
      .passthrough()
      .optional(),
    log: z.array(logSchema).optional(),
    /** Omitted on success (the protobuf default `SUCESS`); `FAILED` otherwise. */
    result: z.string().optional(),
    resMessage: zHex.optional(),
  })
  .transform((info) => ({
    id: info.id,
    fee: info.fee,
    blockNumber: info.blockNumber,
    blockTimestamp: info.blockTimeStamp,
    contractAddress: info.contract_address ?? null,
    /** true unless the node marked it FAILED. Logs of a failed transaction must not be used. */
    success: info.result === undefined || info.result === 'SUCESS' || info.result === 'SUCCESS',
    /** Contract execution result (`receipt.result`): SUCCESS, REVERT, OUT_OF_ENERGY …; null for system contracts. */
    receiptResult: info.receipt?.result ?? null,
    energyFee: info.receipt?.energy_fee ?? 0n,
    netFee: info.receipt?.net_fee ?? 0n,
    logs: info.log ?? [],
    resMessage: info.resMessage ? hexToUtf8(info.resMessage) : null,
  }));

export type TronTransactionInfo = z.output<typeof transactionInfoSchema>;

export const transactionInfoListSchema = z.union([
  z
    .object({})
    .strict()
    .transform(() => [] as TronTransactionInfo[]),
  z.array(transactionInfoSchema),
]);

export const maybeTransactionInfoSchema = z.union([
  z
    .object({})
    .strict()
    .transform(() => null),
  transactionInfoSchema,
]);

export const accountSchema = z.union([
  z
    .object({})
    .strict()
    .transform(() => ({ exists: false as const, balance: 0n, createTime: null })),
  z
    .object({ address: zTronHexAddress, balance: optionalInt64, create_time: zSafeInteger.optional() })
    .transform((a) => ({
      exists: true as const,
      address: a.address,
      balance: a.balance,
      createTime: a.create_time ?? null,
    })),
]);

export type TronAccount = z.output<typeof accountSchema>;

export const constantCallSchema = z.object({
  result: z.object({ result: z.boolean().optional(), code: z.string().optional(), message: z.string().optional() }),
  constant_result: z.array(zHex).optional(),
  energy_used: zSafeInteger.optional(),
  transaction: z
    .object({ ret: z.array(z.object({ ret: z.string().optional() }).passthrough()).optional() })
    .passthrough()
    .optional(),
});

/**
 * `/wallet/getchainparameters` → `{ chainParameter: [{ key, value? }] }` (protocol.ChainParameters; a zero value is
 * omitted, as protobuf JSON omits defaults): getEnergyFee (sun per energy), getTransactionFee (sun per bandwidth
 * byte), getCreateAccountFee, getCreateNewAccountFeeInSystemContract …
 */
export const chainParametersSchema = z
  .object({
    chainParameter: z.array(
      z.object({
        key: z.string(),
        /** Any integer, exact (a few parameters exceed 2^53 or are -1). */
        value: zJsonNumber
          .refine((n) => /^-?\d+$/u.test(n.source), 'not an integer')
          .transform((n) => BigInt(n.source))
          .optional(),
      }),
    ),
  })
  .transform((p) => new Map(p.chainParameter.map((e) => [e.key, e.value ?? 0n])));

export const broadcastResultSchema = z.object({
  result: z.boolean().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  txid: z.string().optional(),
});

export const trc20PageSchema = z.object({
  success: z.boolean(),
  data: z.array(
    z.object({
      transaction_id: zHash32,
      token_info: z.object({
        symbol: z.string(),
        address: z.string(),
        decimals: zSafeInteger,
        name: z.string().optional(),
      }),
      block_timestamp: zSafeInteger,
      from: z.string(),
      to: z.string(),
      type: z.string(),
      value: z
        .string()
        .regex(/^\d+$/u, 'expected a decimal integer string')
        .transform((v) => BigInt(v)),
    }),
  ),
  meta: z
    .object({ at: zSafeInteger.optional(), page_size: zSafeInteger.optional(), fingerprint: z.string().optional() })
    .passthrough(),
});

export function hexToUtf8(value: string): string {
  if (!/^(?:[0-9a-fA-F]{2})*$/u.test(value)) return value;
  return new TextDecoder().decode(hex.decode(value.toLowerCase()));
}

const errorEnvelope = z.object({ Error: z.string() }).passthrough();

/** `{"Error": "…"}` sent with HTTP 200 is a node error, not data. */
export function throwIfNodeError(data: unknown, raw: RawResponse): void {
  const parsed = errorEnvelope.safeParse(data);
  if (parsed.success) throw new ProviderResponseError(PROVIDER, raw.status, snippet(raw.text), parsed.data.Error);
}

/** TronGrid's back-off ("… the query server is suspended for 5 s") from a non-2xx body, in ms. */
export function trongridRetryAfter(response: RawResponse): number | null {
  const match = /suspended for (\d+(?:\.\d+)?) ?s/u.exec(response.text);
  if (!match) return null;
  return Math.ceil(Number(match[1]) * 1000);
}
