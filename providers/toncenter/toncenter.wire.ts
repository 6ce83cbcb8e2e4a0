import { hex } from '@scure/base';
import { z } from 'zod';
import { JsonNumber } from '../http/json-lossless.parser.js';
import { zSafeInteger } from '../http/json.schemas.js';
import { decodeTonAddress, encodeTonAddress } from '../../chains/address.js';
import { tonHashToHex } from '../../chains/tx-hash.js';

/**
 * toncenter wire formats:
 * - API v2 (ton-http-api, github.com/toncenter/ton-http-api `pyTON/api/api_v2/endpoints/common.py` and the
 *   OpenAPI schema of toncenter's v2): envelope `{ ok: true, result, "@extra"? }` / `{ ok: false, error, code }`
 *   (HTTP status = code: 429 rate limit, 416 bad address, 500 lite-server errors such as a rejected external
 *   message: "… inbound external message rejected by transaction …: exitcode=33 …"). `getMasterchainInfo` →
 *   `blocks.masterchainInfo { last: ton.blockIdExt, state_root_hash, init }`; `getAddressBalance` → nanotons as
 *   a string; `runGetMethod {address, method, stack}` → `smc.runResult { gas_used, stack, exit_code }` with legacy
 *   stack entries `["num", "0x…"]`, `["cell", { bytes, object? }]`; `sendBoc {boc}` → `{ "@type": "ok" }`.
 * - API v3 (toncenter/ton-index-go `docs/swagger.yaml`, `index/models.go`): `/masterchainInfo` → `{ first, last }`
 *   blocks; `/blocks` → `{ blocks }`; `/transactions` → `{ transactions, address_book }`; `/jetton/transfers` →
 *   `{ jetton_transfers, address_book, metadata }`; `/jetton/wallets` → `{ jetton_wallets, … }`; errors
 *   `{ error }`. Addresses are raw `0:HEX` (upper case), hashes base64, 64-bit integers and coin amounts strings,
 *   shards `"8000000000000000"`, opcodes `"0x0f8a7ea5"`; list filters repeat the parameter (`collectionFormat:
 *   multi`).
 * Parsed results carry addresses in the platform's one form (non-bounceable user-friendly `UQ…`, as
 * `validateAddress` normalizes them), hashes as lower-case hex, amounts and lts as bigint.
 */

export const PROVIDER = 'toncenter';

/** Any TON address form → the normalized non-bounceable user-friendly form; throws on an invalid one. */
export function normalizeTonAddress(address: string): string {
  const parts = decodeTonAddress(address);
  return encodeTonAddress({ workchain: parts.workchain, hash: parts.hash }, { bounceable: false, testnet: false });
}

/** Any TON address form → raw `0:hex` (lower case), as v3 filters and get-method arguments take it. */
export function rawTonAddress(address: string): string {
  const { workchain, hash } = decodeTonAddress(address);
  return `${workchain}:${hex.encode(hash)}`;
}

export const zTonAddress = z.string().transform((value, ctx) => {
  try {
    return normalizeTonAddress(value);
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a TON address: ${value}` });
    return z.NEVER;
  }
});

/** A 256-bit hash in base64 (v3) or hex → lower-case hex. */
export const zTonHash = z.string().transform((value, ctx) => {
  const hash = tonHashToHex(value);
  if (hash !== null) return hash;
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a 256-bit hash: ${value}` });
  return z.NEVER;
});

/** A non-negative integer sent as a decimal string (or a JSON number) → bigint. */
export const zUint = z.union([z.string(), z.instanceof(JsonNumber)]).transform((value, ctx) => {
  const text = typeof value === 'string' ? value : value.source;
  if (!/^\d+$/u.test(text)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a non-negative integer: ${text}` });
    return z.NEVER;
  }
  return BigInt(text);
});

const zBool = z.boolean();

// ---------------------------------------------------------------- v2

export const v2Envelope = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }).passthrough(),
  z.object({ ok: z.literal(false), error: z.string(), code: zSafeInteger.optional() }).passthrough(),
]);

const blockIdExt = z.object({
  workchain: zSafeInteger,
  shard: z.string(),
  seqno: zSafeInteger,
  root_hash: zTonHash,
  file_hash: zTonHash,
});

export const masterchainInfoSchema = z
  .object({ last: blockIdExt, init: blockIdExt, state_root_hash: zTonHash.optional() })
  .transform((info) => ({
    seqno: info.last.seqno,
    rootHash: info.last.root_hash,
    fileHash: info.last.file_hash,
    initSeqno: info.init.seqno,
    /** The masterchain zero state's root hash: which TON network this is. */
    initRootHash: info.init.root_hash,
  }));

export type TonMasterchainHead = z.output<typeof masterchainInfoSchema>;

const feesSchema = z.object({ in_fwd_fee: zUint, storage_fee: zUint, gas_fee: zUint, fwd_fee: zUint });

/**
 * v2 `estimateFee` result (`query.fees`): the fees of the transaction the message would cause on `address`
 * (`source_fees`) and, where the node can tell, of the ones it causes further (`destination_fees`), in nanotons.
 */
export const estimateFeeSchema = z
  .object({ source_fees: feesSchema, destination_fees: z.array(feesSchema).optional() })
  .transform((r) => {
    const of = (f: z.output<typeof feesSchema>) => ({
      inForwardFee: f.in_fwd_fee,
      storageFee: f.storage_fee,
      gasFee: f.gas_fee,
      forwardFee: f.fwd_fee,
      total: f.in_fwd_fee + f.storage_fee + f.gas_fee + f.fwd_fee,
    });
    return { source: of(r.source_fees), destination: (r.destination_fees ?? []).map(of) };
  });

export type TonFeeEstimate = z.output<typeof estimateFeeSchema>;

/** A get-method stack entry as the platform uses them. */
export type TonStackEntry =
  { type: 'num'; value: bigint } | { type: 'cell'; boc: string } | { type: 'slice'; boc: string };

const stackNum = z
  .string()
  .regex(/^-?(?:0x[0-9a-fA-F]+|\d+)$/u)
  .transform((text) => {
    const negative = text.startsWith('-');
    const body = negative ? text.slice(1) : text;
    const value = BigInt(body);
    return negative ? -value : value;
  });

const legacyStackEntry = z
  .tuple([z.string(), z.unknown()])
  .transform((entry, ctx): TonStackEntry | { type: 'unsupported'; kind: string } => {
    const [kind, value] = entry;
    if (kind === 'num') {
      const parsed = stackNum.safeParse(
        typeof value === 'string' ? value : value instanceof JsonNumber ? value.source : null,
      );
      if (!parsed.success) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'bad num stack entry' });
        return z.NEVER;
      }
      return { type: 'num', value: parsed.data };
    }
    if (kind === 'cell' || kind === 'slice') {
      const bytes =
        typeof value === 'object' && value !== null && 'bytes' in value ? (value as { bytes: unknown }).bytes : null;
      if (typeof bytes !== 'string') {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `bad ${kind} stack entry` });
        return z.NEVER;
      }
      return { type: kind, boc: bytes };
    }
    return { type: 'unsupported', kind };
  });

export const runResultSchema = z
  .object({
    gas_used: z.union([zSafeInteger, z.string()]).optional(),
    stack: z.array(legacyStackEntry),
    exit_code: zSafeInteger,
  })
  .transform((r) => ({ exitCode: r.exit_code, stack: r.stack }));

export const balanceSchema = zUint;

// ---------------------------------------------------------------- v3

const blockRef = z.object({ workchain: zSafeInteger, shard: z.string(), seqno: zSafeInteger });

export const v3BlockSchema = z
  .object({
    workchain: zSafeInteger,
    shard: z.string(),
    seqno: zSafeInteger,
    root_hash: zTonHash,
    file_hash: zTonHash,
    gen_utime: zUint,
    start_lt: zUint,
    end_lt: zUint,
    tx_count: zSafeInteger.optional(),
    masterchain_block_ref: blockRef.optional(),
    prev_blocks: z.array(blockRef).optional(),
  })
  .transform((b) => ({
    workchain: b.workchain,
    shard: b.shard,
    seqno: b.seqno,
    rootHash: b.root_hash,
    fileHash: b.file_hash,
    genUtime: Number(b.gen_utime),
    startLt: b.start_lt,
    endLt: b.end_lt,
    txCount: b.tx_count ?? null,
    masterchainSeqno: b.masterchain_block_ref?.seqno ?? (b.workchain === -1 ? b.seqno : null),
    prevBlocks: b.prev_blocks ?? [],
  }));

export type TonBlock = z.output<typeof v3BlockSchema>;

export const v3MasterchainInfoSchema = z.object({ first: v3BlockSchema, last: v3BlockSchema });
export const v3BlocksSchema = z.object({ blocks: z.array(v3BlockSchema) });

const zOpcode = z
  .union([z.string(), z.instanceof(JsonNumber), z.null()])
  .optional()
  .transform((value, ctx): number | null => {
    if (value === null || value === undefined) return null;
    const text = typeof value === 'string' ? value : value.source;
    const n = /^0x[0-9a-fA-F]{1,8}$/u.test(text)
      ? Number.parseInt(text.slice(2), 16)
      : /^-?\d+$/u.test(text)
        ? Number(text)
        : Number.NaN;
    if (!Number.isSafeInteger(n)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `bad opcode ${text}` });
      return z.NEVER;
    }
    return n >>> 0; // unsigned 32-bit, whichever way the indexer printed it
  });

const messageSchema = z
  .object({
    hash: zTonHash,
    source: zTonAddress.nullable().optional(),
    destination: zTonAddress.nullable().optional(),
    value: zUint.nullable().optional(),
    fwd_fee: zUint.nullable().optional(),
    created_lt: zUint.nullable().optional(),
    created_at: zUint.nullable().optional(),
    opcode: zOpcode,
    bounce: zBool.nullable().optional(),
    bounced: zBool.nullable().optional(),
    message_content: z
      .object({
        hash: zTonHash.nullable().optional(),
        body: z.string().nullable().optional(),
        decoded: z
          .object({ type: z.string().optional(), comment: z.string().optional() })
          .passthrough()
          .nullable()
          .optional(),
      })
      .nullable()
      .optional(),
  })
  .transform((m) => {
    const decoded = m.message_content?.decoded;
    return {
      hash: m.hash,
      /** null for external messages (in) and log messages (out). */
      source: m.source ?? null,
      destination: m.destination ?? null,
      /** nanotons; null for external messages. */
      value: m.value ?? null,
      fwdFee: m.fwd_fee ?? null,
      createdLt: m.created_lt ?? null,
      createdAt: m.created_at === null || m.created_at === undefined ? null : Number(m.created_at),
      opcode: m.opcode,
      bounce: m.bounce ?? null,
      bounced: m.bounced ?? null,
      /** Base64 BOC of the body (parse it before trusting a comment or an op). */
      body: m.message_content?.body ?? null,
      comment:
        decoded && decoded.type === 'text_comment' && typeof decoded.comment === 'string' ? decoded.comment : null,
    };
  });

export type TonMessage = z.output<typeof messageSchema>;

export const v3TransactionSchema = z
  .object({
    account: zTonAddress,
    hash: zTonHash,
    lt: zUint,
    now: zSafeInteger,
    mc_block_seqno: zSafeInteger.nullable().optional(),
    trace_id: zTonHash.nullable().optional(),
    orig_status: z.string(),
    end_status: z.string(),
    total_fees: zUint,
    description: z
      .object({
        type: z.string().optional(),
        aborted: zBool.optional(),
        compute_ph: z
          .object({ skipped: zBool.optional(), success: zBool.optional(), exit_code: zSafeInteger.optional() })
          .passthrough()
          .optional(),
        action: z.object({ success: zBool.optional(), result_code: zSafeInteger.optional() }).passthrough().optional(),
      })
      .passthrough(),
    block_ref: blockRef,
    in_msg: messageSchema.nullable().optional(),
    out_msgs: z.array(messageSchema),
  })
  .transform((t) => ({
    account: t.account,
    hash: t.hash,
    lt: t.lt,
    now: t.now,
    mcSeqno: t.mc_block_seqno ?? null,
    traceId: t.trace_id ?? null,
    origStatus: t.orig_status,
    endStatus: t.end_status,
    totalFees: t.total_fees,
    aborted: t.description.aborted ?? false,
    computeSuccess: t.description.compute_ph?.skipped === true ? null : (t.description.compute_ph?.success ?? null),
    exitCode: t.description.compute_ph?.exit_code ?? null,
    actionSuccess: t.description.action?.success ?? null,
    blockRef: t.block_ref,
    inMsg: t.in_msg ?? null,
    outMsgs: t.out_msgs,
  }));

export type TonTransaction = z.output<typeof v3TransactionSchema>;

export const v3TransactionsSchema = z.object({ transactions: z.array(v3TransactionSchema) });

export const v3JettonTransferSchema = z
  .object({
    query_id: z.string(),
    source: zTonAddress,
    destination: zTonAddress,
    amount: zUint,
    source_wallet: zTonAddress,
    jetton_master: zTonAddress,
    transaction_hash: zTonHash,
    transaction_lt: zUint,
    transaction_now: zSafeInteger,
    transaction_aborted: zBool.nullable().optional(),
    response_destination: zTonAddress.nullable().optional(),
    forward_ton_amount: zUint.nullable().optional(),
    forward_payload: z.string().nullable().optional(),
    trace_id: zTonHash.nullable().optional(),
  })
  .transform((j) => ({
    queryId: BigInt(/^\d+$/u.test(j.query_id) ? j.query_id : '0'),
    /** Owner that sent the jetton transfer. */
    source: j.source,
    /** Owner the jettons were sent to (not its jetton wallet). */
    destination: j.destination,
    amount: j.amount,
    /** The sender's jetton wallet, where the indexer saw the transfer. */
    sourceWallet: j.source_wallet,
    /**
     * The master the indexer attributes the transfer to, as the source wallet reports it (get_wallet_data): a fake
     * wallet can claim a genuine master. Verify `sourceWallet` against the master's `get_wallet_address(source)`.
     */
    jettonMaster: j.jetton_master,
    transactionHash: j.transaction_hash,
    transactionLt: j.transaction_lt,
    transactionNow: j.transaction_now,
    transactionAborted: j.transaction_aborted ?? false,
    responseDestination: j.response_destination ?? null,
    forwardTonAmount: j.forward_ton_amount ?? null,
    forwardPayload: j.forward_payload ?? null,
    traceId: j.trace_id ?? null,
  }));

export type TonJettonTransfer = z.output<typeof v3JettonTransferSchema>;

export const v3JettonTransfersSchema = z.object({ jetton_transfers: z.array(v3JettonTransferSchema) });

export const v3JettonWalletSchema = z
  .object({
    address: zTonAddress,
    balance: zUint,
    owner: zTonAddress,
    jetton: zTonAddress,
    last_transaction_lt: zUint,
    code_hash: zTonHash.nullable().optional(),
    data_hash: zTonHash.nullable().optional(),
  })
  .transform((w) => ({
    address: w.address,
    balance: w.balance,
    owner: w.owner,
    /** The master the wallet claims (its own get_wallet_data): not proof of genuineness. */
    jetton: w.jetton,
    lastTransactionLt: w.last_transaction_lt,
    codeHash: w.code_hash ?? null,
  }));

export type TonJettonWallet = z.output<typeof v3JettonWalletSchema>;

export const v3JettonWalletsSchema = z.object({ jetton_wallets: z.array(v3JettonWalletSchema) });

/** v3 `{ "error": … }` or v2 `{ ok: false, error }` from a non-2xx body, for messages. */
export function errorText(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : null;
  } catch {
    return null;
  }
}
