import { hex } from '@scure/base';
import { z } from 'zod';
import { toChecksumAddress } from '../../chains/address.js';

/**
 * Ethereum JSON-RPC wire formats, from the execution-apis specification (github.com/ethereum/execution-apis,
 * `src/eth/*.yaml` methods and `src/schemas/*.yaml` types; JSON-RPC 2.0 envelope and batches from jsonrpc.org):
 * - quantities are `0x`-prefixed hex without leading zeros (`uint`), data are `0x` + even hex (`bytes`),
 *   hashes 32 bytes, addresses 20 bytes;
 * - `eth_getBlockByNumber(tag, hydrated)` → Block or null (block tags `earliest|finalized|safe|latest|pending`);
 *   `transactions` holds hashes, or transaction objects when hydrated;
 * - `eth_getLogs(filter)` → Log[]; `eth_getTransactionReceipt(hash)` → Receipt or null;
 * - errors: `{ jsonrpc: "2.0", id, error: { code, message, data? } }`; batch = array in, array out (any order,
 *   matched by `id`).
 * Quantities are read leniently (leading zeros tolerated, at most 256 bits) because some BSC nodes pad them.
 */

export const PROVIDER = 'evm-rpc';

const HEX_QUANTITY = /^0x[0-9a-fA-F]{1,64}$/u;

/** A hex quantity → bigint, exactly. */
export const zQuantity = z
  .string()
  .regex(HEX_QUANTITY, 'expected a 0x hex quantity of at most 256 bits')
  .transform((value) => BigInt(value));

export const zData = z
  .string()
  .regex(/^0x(?:[0-9a-fA-F]{2})*$/u, 'expected 0x-prefixed hex bytes')
  .transform((value) => value.toLowerCase());

export const zHash = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/u, 'expected a 32-byte hash')
  .transform((value) => value.toLowerCase());

/** 20-byte address → EIP-55 checksummed, the platform's one form for ETH/BSC. */
export const zAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/u, 'expected a 20-byte address')
  .transform((value) => toChecksumAddress(hex.decode(value.slice(2).toLowerCase())));

export const transactionSchema = z.object({
  hash: zHash,
  from: zAddress,
  to: zAddress
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  value: zQuantity,
  input: zData,
  nonce: zQuantity,
  gas: zQuantity,
  gasPrice: zQuantity
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  maxFeePerGas: zQuantity
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  maxPriorityFeePerGas: zQuantity
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  type: zQuantity.optional().transform((v) => v ?? 0n),
  chainId: zQuantity
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  blockHash: zHash.nullable(),
  blockNumber: zQuantity.nullable(),
  transactionIndex: zQuantity.nullable(),
});

export type EvmTransaction = z.output<typeof transactionSchema>;

const blockHeader = {
  number: zQuantity,
  hash: zHash,
  parentHash: zHash,
  timestamp: zQuantity,
  miner: zAddress,
  gasLimit: zQuantity,
  gasUsed: zQuantity,
  baseFeePerGas: zQuantity
    .nullable()
    .optional()
    .transform((v) => v ?? null),
};

export const blockWithHashesSchema = z.object({ ...blockHeader, transactions: z.array(zHash) });
export const blockWithTransactionsSchema = z.object({ ...blockHeader, transactions: z.array(transactionSchema) });

export type EvmBlock = z.output<typeof blockWithHashesSchema>;
export type EvmBlockWithTransactions = z.output<typeof blockWithTransactionsSchema>;

export const logSchema = z.object({
  address: zAddress,
  topics: z.array(zHash).max(4),
  data: zData,
  blockNumber: zQuantity,
  blockHash: zHash,
  transactionHash: zHash,
  transactionIndex: zQuantity,
  logIndex: zQuantity,
  removed: z
    .boolean()
    .optional()
    .transform((v) => v ?? false),
});

export type EvmLog = z.output<typeof logSchema>;

export const receiptSchema = z
  .object({
    transactionHash: zHash,
    transactionIndex: zQuantity,
    blockHash: zHash,
    blockNumber: zQuantity,
    from: zAddress,
    to: zAddress.nullable(),
    contractAddress: zAddress
      .nullable()
      .optional()
      .transform((v) => v ?? null),
    gasUsed: zQuantity,
    cumulativeGasUsed: zQuantity,
    effectiveGasPrice: zQuantity
      .nullable()
      .optional()
      .transform((v) => v ?? null),
    /** 0x1 success, 0x0 failure (Byzantium+); absent on pre-Byzantium receipts, which carry `root`. */
    status: zQuantity.optional(),
    logs: z.array(logSchema),
    type: zQuantity.optional().transform((v) => v ?? 0n),
  })
  .transform(({ status, ...rest }) => ({
    ...rest,
    status: status === undefined ? ('unknown' as const) : status === 1n ? ('success' as const) : ('reverted' as const),
  }));

export type EvmReceipt = z.output<typeof receiptSchema>;

/**
 * `eth_feeHistory(blockCount, newestBlock, rewardPercentiles)` result: `baseFeePerGas` has one entry more than the
 * blocks asked for (the last is the next block's base fee), `reward` one array per block with one priority fee per
 * requested percentile (absent when no percentiles were asked).
 */
export const feeHistorySchema = z.object({
  oldestBlock: zQuantity,
  baseFeePerGas: z.array(zQuantity).min(1),
  gasUsedRatio: z.array(z.number()),
  reward: z
    .array(z.array(zQuantity))
    .optional()
    .transform((v) => v ?? []),
});

export type EvmFeeHistory = z.output<typeof feeHistorySchema>;

const jsonRpcId = z.union([z.number(), z.string(), z.null()]);

export const jsonRpcErrorSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});

/** One JSON-RPC 2.0 response object: exactly one of `result` and `error`. */
export const jsonRpcResponseSchema = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id: jsonRpcId, error: jsonRpcErrorSchema }),
  z
    .object({ jsonrpc: z.literal('2.0'), id: jsonRpcId, result: z.unknown() })
    .refine((r) => 'result' in r, 'missing result'),
]);

export type JsonRpcResponse = z.output<typeof jsonRpcResponseSchema>;
