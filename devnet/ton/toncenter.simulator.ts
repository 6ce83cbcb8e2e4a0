import type { IncomingMessage, ServerResponse } from 'node:http';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64, hex } from '@scure/base';
import { Cell } from '@ton/core';
import { createFailureSwitch, type FailureSpec, type ProviderSimulator, type SimulatorOptions } from '../http/simulator.failures.js';
import { readRequestBody, sendJson, serveSimulator, type SimulatorHandler } from '../http/simulator.server.js';
import { usdtOf } from '../../platform/money/assets.js';
import { decodeTonAddress, encodeTonAddress } from '../../chains/address.js';
import { jettonWalletAddress, jettonWalletCodeHash } from './jettons.js';
import { ExternalRejectedError, type McBlock, type Raw, type SimMessage, type SimTx, type TonChainOptions, type TonFees } from './state.js';
import { TonChain } from './ton-chain.js';
import { MASTERCHAIN_SHARD, TON_API_KEY_HEADER } from '../../providers/toncenter/toncenter.client.js';
import { normalizeTonAddress } from '../../providers/toncenter/toncenter.wire.js';

/**
 * Serves toncenter's API v2 (getMasterchainInfo, getAddressBalance, runGetMethod, sendBoc, sendBocReturnHash) and
 * v3 (masterchainInfo, blocks, transactions, transactionsByMessage, jetton/transfers, jetton/wallets) over an
 * in-memory chain (ton-chain.ts), in the wire format the client parses (see toncenter.wire.ts for the documents).
 */

export interface TonSimulatorOptions extends Pick<SimulatorOptions, 'failMode'>, Omit<TonChainOptions, 'fees'> {
  /** Milliseconds between masterchain blocks; null = only `mine()`/`send()` make blocks. Default 5,000. */
  blockIntervalMs?: number | null;
  /** When set, requests must carry it (`X-API-Key` header or `api_key` query), else 401. */
  apiKey?: string | null;
  fees?: Partial<TonFees>;
  /** Faucet genesis allocation: TON (nanotons) and each jetton. Default 10^9 TON and 10^12 jetton units. */
  faucetTon?: bigint;
  faucetJettons?: bigint;
}

export interface TonFaucetRequest {
  /** Recipient (any address form). */
  to: string;
  /** Nanotons, or jetton units. */
  amount: bigint;
  /** 'USDT' (the genuine master) or a master address (e.g. one from `createFakeJetton`); TON when absent. */
  jetton?: string;
  /** Text comment (TON) or forward payload comment (jetton). */
  comment?: string;
  /** nanotons forwarded with transfer_notification to the recipient. Default 1. */
  forwardTonAmount?: bigint;
  /**
   * TON only: a raw message body (base64 BOC) instead of a comment, e.g. a forged `transfer_notification` from a
   * non-jetton account, to test that watchers do not trust notifications alone.
   */
  body?: string;
}

export interface TonFaucetReceipt {
  mcSeqno: number;
  /** Hex hashes. */
  traceId: string;
  transactions: Array<{ account: string; hash: string; lt: bigint }>;
  /** The recipient's own transaction (TON credit, or the jetton transfer_notification), when there is one. */
  recipientTransaction: { hash: string; lt: bigint } | null;
}

export interface TonChainSimulator {
  readonly handler: SimulatorHandler;
  readonly chain: TonChain;
  /** Normalized (UQ…) faucet address. */
  readonly faucetAddress: string;
  /** The genuine USDT jetton master (catalogue form, EQ…). */
  readonly usdtMaster: string;
  /** Seals `count` masterchain blocks (the first holds pending transactions); returns the head seqno. */
  mine(count?: number): number;
  /** Devnet faucet: TON or jettons to `to`, in a new block at once. */
  send(request: TonFaucetRequest): TonFaucetReceipt;
  /** Broadcasts an external message as sendBoc would (throws ExternalRejectedError); lands in the next block. */
  sendBoc(boc: string): { messageHash: string };
  /**
   * A fake jetton master whose transfers look like real ones. With `impersonate`, its wallets claim the genuine
   * USDT master in get_wallet_data (and so in v3 `jetton_master`/`jetton`); only `get_wallet_address` on the
   * genuine master exposes them. Returns the fake master's address (EQ…).
   */
  createFakeJetton(options?: { symbol?: string; decimals?: number; impersonate?: boolean }): string;
  reorg(depth: number, options?: { reinclude?: boolean }): { head: number; removed: number[] };
  /** nanotons. */
  balance(address: string): bigint;
  jettonBalance(owner: string, master?: string): bigint;
  jettonWalletAddress(owner: string, master?: string): string;
  setHeadLag(blocks: number): void;
  setFailure(spec: Parameters<ProviderSimulator['setFailure']>[0]): void;
  requestCount(): number;
  stop(): void;
}

export interface TonSimulator extends TonChainSimulator, ProviderSimulator {}

// ---------------------------------------------------------------- rendering helpers

const b64 = (hexText: string): string => base64.encode(hex.decode(hexText));
const rawUpper = (raw: Raw): string => {
  const [wc, h] = raw.split(':');
  return `${wc}:${h!.toUpperCase()}`;
};
const toRaw = (address: string): Raw => {
  const { workchain, hash } = decodeTonAddress(address);
  return `${workchain}:${hex.encode(hash)}`;
};
const friendly = (raw: Raw, bounceable: boolean): string => {
  const { workchain, hash } = decodeTonAddress(raw);
  return encodeTonAddress({ workchain, hash }, { bounceable, testnet: false });
};
const pseudoHash = (label: string): string => b64(hex.encode(sha256(new TextEncoder().encode(label))));

function renderMessage(m: SimMessage): Record<string, unknown> {
  const bodyCell = m.body;
  return {
    hash: b64(m.hash),
    source: m.source ? rawUpper(m.source) : null,
    destination: m.destination ? rawUpper(m.destination) : null,
    value: m.value === null ? null : m.value.toString(),
    value_extra_currencies: m.value === null ? null : {},
    fwd_fee: m.fwdFee === null ? null : m.fwdFee.toString(),
    ihr_fee: m.fwdFee === null ? null : '0',
    extra_flags: m.fwdFee === null ? null : '0',
    created_lt: m.createdLt === null ? null : m.createdLt.toString(),
    created_at: m.createdAt === null ? null : String(m.createdAt),
    opcode: m.opcode === null ? null : '0x' + (m.opcode >>> 0).toString(16).padStart(8, '0'),
    decoded_opcode: m.comment !== null ? 'text_comment' : null,
    ihr_disabled: m.source === null ? null : true,
    bounce: m.bounce,
    bounced: m.bounced,
    import_fee: m.source === null ? '0' : null,
    message_content: {
      hash: b64(bodyCell.hash().toString('hex')),
      body: bodyCell.toBoc().toString('base64'),
      decoded: m.comment !== null ? { type: 'text_comment', comment: m.comment } : bodyCell.bits.length === 0 ? { '@type': 'empty_cell' } : null,
    },
    init_state: m.init ? { hash: b64(m.init.hash().toString('hex')), body: m.init.toBoc().toString('base64') } : null,
  };
}

/** Total fees minus the forwarding fees of the messages the transaction sent. */
function gasFees(tx: SimTx): bigint {
  const forwarded = tx.outMsgs.reduce((sum, m) => sum + (m.fwdFee ?? 0n), 0n);
  return tx.totalFees > forwarded ? tx.totalFees - forwarded : 0n;
}

function renderTx(tx: SimTx): Record<string, unknown> {
  const credit = tx.inMsg.value;
  const compute = tx.computeSkipped
    ? { skipped: true, reason: 'no_state' }
    : {
        skipped: false,
        success: tx.computeSuccess,
        msg_state_used: false,
        account_activated: tx.origStatus !== 'active' && tx.endStatus === 'active',
        gas_fees: gasFees(tx).toString(),
        gas_used: '3308',
        gas_limit: '0',
        mode: 0,
        exit_code: tx.exitCode,
        vm_steps: 68,
      };
  const description: Record<string, unknown> = {
    type: 'ord',
    aborted: tx.aborted,
    destroyed: false,
    credit_first: tx.inMsg.source === null ? false : !tx.inMsg.bounce,
    storage_ph: { storage_fees_collected: '0', status_change: 'unchanged' },
    ...(credit !== null ? { credit_ph: { credit: credit.toString() } } : {}),
    compute_ph: compute,
  };
  if (tx.actionSuccess !== null) {
    description.action = {
      success: tx.actionSuccess,
      valid: true,
      no_funds: !tx.actionSuccess,
      status_change: 'unchanged',
      total_fwd_fees: tx.outMsgs.reduce((sum, m) => sum + (m.fwdFee ?? 0n), 0n).toString(),
      result_code: tx.actionSuccess ? 0 : 37,
      tot_actions: tx.outMsgs.length,
      spec_actions: 0,
      skipped_actions: 0,
      msgs_created: tx.outMsgs.length,
    };
  }
  return {
    account: rawUpper(tx.account),
    hash: b64(tx.hash),
    lt: tx.lt.toString(),
    now: tx.now,
    mc_block_seqno: tx.mcSeqno,
    trace_id: b64(tx.traceId),
    prev_trans_hash: b64(tx.prevHash),
    prev_trans_lt: tx.prevLt.toString(),
    orig_status: tx.origStatus,
    end_status: tx.endStatus,
    total_fees: tx.totalFees.toString(),
    total_fees_extra_currencies: {},
    description,
    block_ref: { workchain: 0, shard: MASTERCHAIN_SHARD, seqno: tx.shardSeqno },
    in_msg: renderMessage(tx.inMsg),
    out_msgs: tx.outMsgs.map(renderMessage),
    account_state_before: { hash: pseudoHash(`state:${tx.account}:${tx.prevLt}`), balance: null, extra_currencies: null, account_status: null, frozen_hash: null, data_hash: null, code_hash: null },
    account_state_after: { hash: pseudoHash(`state:${tx.account}:${tx.lt}`), balance: null, extra_currencies: null, account_status: tx.endStatus, frozen_hash: null, data_hash: null, code_hash: null },
    emulated: false,
  };
}

function renderMcBlock(block: McBlock): Record<string, unknown> {
  return {
    workchain: -1,
    shard: MASTERCHAIN_SHARD,
    seqno: block.seqno,
    root_hash: b64(block.rootHash),
    file_hash: b64(block.fileHash),
    global_id: -239,
    version: 0,
    after_merge: false,
    before_split: false,
    after_split: false,
    want_merge: false,
    want_split: false,
    key_block: false,
    vert_seqno_incr: false,
    flags: 1,
    gen_utime: String(block.genUtime),
    start_lt: block.startLt.toString(),
    end_lt: block.endLt.toString(),
    validator_list_hash_short: 0,
    gen_catchain_seqno: 0,
    min_ref_mc_seqno: block.seqno - 1,
    prev_key_block_seqno: 0,
    vert_seqno: 1,
    master_ref_seqno: block.seqno,
    rand_seed: pseudoHash(`seed:${block.rootHash}`),
    created_by: pseudoHash('validator'),
    tx_count: 0,
    masterchain_block_ref: { workchain: -1, shard: MASTERCHAIN_SHARD, seqno: block.seqno },
    prev_blocks: [{ workchain: -1, shard: MASTERCHAIN_SHARD, seqno: block.seqno - 1 }],
  };
}

function renderShardBlock(block: McBlock): Record<string, unknown> {
  return {
    ...renderMcBlock(block),
    workchain: 0,
    seqno: block.shardSeqno,
    root_hash: b64(block.shardRootHash),
    file_hash: b64(block.shardFileHash),
    tx_count: block.txs.length,
    min_ref_mc_seqno: block.seqno,
    master_ref_seqno: block.seqno,
    prev_blocks: [{ workchain: 0, shard: MASTERCHAIN_SHARD, seqno: block.shardSeqno - 1 }],
  };
}

function blockIdExt(block: McBlock): Record<string, unknown> {
  return { '@type': 'ton.blockIdExt', workchain: -1, shard: '-9223372036854775808', seqno: block.seqno, root_hash: b64(block.rootHash), file_hash: b64(block.fileHash) };
}

// ---------------------------------------------------------------- failures

function renderFailure(res: ServerResponse, failure: FailureSpec, v3: boolean): void {
  switch (failure.mode) {
    case 'hang':
      return;
    case 'rate-limit':
      sendJson(res, 429, v3 ? { error: 'Ratelimit exceeded' } : { ok: false, error: 'Ratelimit exceed', code: 429 });
      return;
    case 'server-error':
      sendJson(res, 500, v3 ? { error: 'internal server error' } : { ok: false, error: 'LITE_SERVER_NETWORK: timeout', code: 500 });
      return;
    case 'malformed-json':
      sendJson(res, 200, v3 ? '{"transactions":[{"account":"0:' : '{"ok":true,"result":{"@type":"blocks.masterchainInfo","last":');
      return;
  }
}

// ---------------------------------------------------------------- the simulator

class BadRequest extends Error {}

export function createTonSimulator(options: TonSimulatorOptions = {}): TonChainSimulator {
  const chain = new TonChain(options);
  const usdt = usdtOf('TON');
  const usdtMaster = toRaw(usdt.contract!);
  chain.addJettonMaster(usdtMaster, { symbol: 'USDT', decimals: usdt.decimals, genuine: true });
  const faucetJettons = options.faucetJettons ?? 10n ** 12n;
  chain.allocate(chain.faucet, options.faucetTon ?? 10n ** 18n, { master: usdtMaster, amount: faucetJettons });
  const failures = createFailureSwitch(options.failMode ?? null);
  const apiKey = options.apiKey ?? null;
  let requests = 0;
  let headLag = 0;
  let fakes = 0;

  const masterOf = (jetton: string | undefined): Raw => (jetton === undefined || jetton === 'USDT' ? usdtMaster : toRaw(jetton));
  const servedHead = (): McBlock => chain.block(Math.max(chain.startSeqno, chain.head.seqno - headLag)) ?? chain.head;
  const sealedTxs = (): SimTx[] => chain.blocks.flatMap((b) => b.txs);

  const mine = (count = 1): number => {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    for (let i = 0; i < count; i++) chain.mine();
    return chain.head.seqno;
  };

  const faucetSend = (request: TonFaucetRequest): TonFaucetReceipt => {
    if (request.amount <= 0n) throw new RangeError('faucet: amount must be positive');
    const to = toRaw(request.to);
    const master = request.jetton === undefined ? null : masterOf(request.jetton);
    if (master !== null && chain.account(master)?.kind.type !== 'jetton-master') throw new Error(`faucet: ${request.jetton} is not a jetton master`);
    if (request.body !== undefined && master !== null) throw new Error('faucet: a raw body is for TON transfers only');
    const txs = chain.faucetSend({
      to,
      amount: request.amount,
      jettonMaster: master,
      forwardTonAmount: request.forwardTonAmount ?? 1n,
      comment: request.comment ?? null,
      body: request.body === undefined ? null : Cell.fromBase64(request.body),
    });
    const block = chain.mine();
    const own = txs.find((t) => t.account === to && t.inMsg.source !== null);
    return {
      mcSeqno: block.seqno,
      traceId: txs[0]!.traceId,
      transactions: txs.map((t) => ({ account: normalizeTonAddress(t.account), hash: t.hash, lt: t.lt })),
      recipientTransaction: own ? { hash: own.hash, lt: own.lt } : null,
    };
  };

  // ------------------------------------------------------------ request helpers

  const params = async (req: IncomingMessage, url: URL): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (req.method === 'POST') {
      const text = await readRequestBody(req);
      if (text.trim()) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new BadRequest('invalid JSON body');
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('body must be an object');
        Object.assign(out, body);
      }
    }
    return out;
  };

  const addressParam = (value: unknown): Raw => {
    if (typeof value !== 'string') throw new BadRequest('address is required');
    try {
      return toRaw(value);
    } catch {
      throw new BadRequest('Incorrect address');
    }
  };

  const addressList = (url: URL, key: string): Raw[] | null => {
    const values = url.searchParams.getAll(key);
    return values.length === 0 ? null : values.map(addressParam);
  };

  const intQuery = (url: URL, key: string): number | null => {
    const value = url.searchParams.get(key);
    if (value === null) return null;
    if (!/^-?\d+$/u.test(value)) throw new BadRequest(`${key} must be an integer`);
    return Number(value);
  };

  const bigQuery = (url: URL, key: string): bigint | null => {
    const value = url.searchParams.get(key);
    if (value === null) return null;
    if (!/^\d+$/u.test(value)) throw new BadRequest(`${key} must be an integer`);
    return BigInt(value);
  };

  const page = <T>(url: URL, rows: T[]): T[] => {
    const limit = intQuery(url, 'limit') ?? 10;
    const offset = intQuery(url, 'offset') ?? 0;
    if (limit < 1 || limit > 1000 || offset < 0) throw new BadRequest('limit must be 1..1000 and offset >= 0');
    return rows.slice(offset, offset + limit);
  };

  const sorted = <T>(url: URL, rows: T[], key: (row: T) => bigint): T[] => {
    const sort = url.searchParams.get('sort') ?? 'desc';
    if (sort !== 'asc' && sort !== 'desc') throw new BadRequest('sort must be asc or desc');
    const out = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return sort === 'desc' ? out.reverse() : out;
  };

  const addressBook = (raws: Iterable<Raw | null>): Record<string, { user_friendly: string; domain: null }> => {
    const book: Record<string, { user_friendly: string; domain: null }> = {};
    for (const raw of raws) {
      if (raw === null || book[rawUpper(raw)]) continue;
      const kind = chain.account(raw)?.kind.type ?? 'none';
      book[rawUpper(raw)] = { user_friendly: friendly(raw, kind !== 'wallet' && kind !== 'none' && kind !== 'faucet'), domain: null };
    }
    return book;
  };

  const hashParam = (value: string): string => {
    if (/^[0-9a-fA-F]{64}$/u.test(value)) return value.toLowerCase();
    try {
      const bytes = base64.decode(value.replace(/-/gu, '+').replace(/_/gu, '/'));
      if (bytes.length === 32) return hex.encode(bytes);
    } catch {
      /* fall through */
    }
    throw new BadRequest('hash must be 32 bytes in hex or base64');
  };

  // ------------------------------------------------------------ v2

  const stackArg = (entry: unknown): { type: 'num'; value: bigint } | { type: 'cell'; cell: Cell } => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new BadRequest('stack entries are [type, value]');
    const [type, value] = entry as [unknown, unknown];
    if (type === 'num') {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
      if (!/^-?(?:0x[0-9a-fA-F]+|\d+)$/u.test(text)) throw new BadRequest('bad num');
      const negative = text.startsWith('-');
      const n = BigInt(negative ? text.slice(1) : text);
      return { type: 'num', value: negative ? -n : n };
    }
    if (type === 'tvm.Slice' || type === 'tvm.Cell' || type === 'slice' || type === 'cell') {
      const bytes = typeof value === 'string' ? value : typeof value === 'object' && value !== null && typeof (value as { bytes?: unknown }).bytes === 'string' ? (value as { bytes: string }).bytes : null;
      if (bytes === null) throw new BadRequest('bad cell');
      try {
        return { type: 'cell', cell: Cell.fromBase64(bytes) };
      } catch {
        throw new BadRequest('failed to deserialize the stack cell');
      }
    }
    throw new BadRequest(`unsupported stack entry type ${String(type)}`);
  };

  const v2 = async (req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> => {
    const p = await params(req, url);
    const ok = (result: unknown) => sendJson(res, 200, { ok: true, result, '@extra': `${Date.now() / 1000}:0:0.${requests}` });
    switch (method) {
      case 'getMasterchainInfo': {
        const head = servedHead();
        return ok({ '@type': 'blocks.masterchainInfo', last: blockIdExt(head), state_root_hash: pseudoHash(`state:${head.rootHash}`), init: blockIdExt(chain.first) });
      }
      case 'getAddressBalance': {
        const raw = addressParam(p.address);
        return ok((chain.account(raw)?.balance ?? 0n).toString());
      }
      case 'runGetMethod': {
        if (req.method !== 'POST') throw new BadRequest('use POST');
        const raw = addressParam(p.address);
        if (typeof p.method !== 'string' && typeof p.method !== 'number') throw new BadRequest('method is required');
        const stack = Array.isArray(p.stack) ? p.stack.map(stackArg) : [];
        const result = typeof p.method === 'number' ? { exitCode: 11, stack: [] } : chain.runGetMethod(raw, p.method, stack);
        return ok({
          '@type': 'smc.runResult',
          gas_used: result.exitCode === 0 ? 1_893 : 0,
          stack: result.stack.map((e) =>
            e.type === 'num' ? ['num', (e.value < 0n ? '-0x' + (-e.value).toString(16) : '0x' + e.value.toString(16))] : ['cell', { bytes: e.cell.toBoc().toString('base64') }],
          ),
          exit_code: result.exitCode,
          block_id: blockIdExt(chain.head),
          last_transaction_id: { '@type': 'internal.transactionId', lt: (chain.account(raw)?.lastLt ?? 0n).toString(), hash: b64(chain.account(raw)?.lastHash ?? '0'.repeat(64)) },
        });
      }
      case 'sendBoc':
      case 'sendBocReturnHash': {
        if (req.method !== 'POST') throw new BadRequest('use POST');
        if (typeof p.boc !== 'string') throw new BadRequest('boc is required');
        try {
          const { messageHash } = chain.sendExternal(p.boc);
          return ok(method === 'sendBoc' ? { '@type': 'ok', '@extra': '0:0:0' } : { '@type': 'raw.extMessageInfo', hash: b64(messageHash) });
        } catch (error) {
          if (!(error instanceof ExternalRejectedError)) throw error;
          const text =
            error.exitCode === null
              ? `LITE_SERVER_UNKNOWN: ${error.message}`
              : `LITE_SERVER_UNKNOWN: cannot apply external message to current state : External message was not accepted\nCannot run message on account: inbound external message rejected by transaction ${hex.encode(sha256(new TextEncoder().encode(p.boc))).toUpperCase()}:\n${error.message}, steps=0, gas_used=0`;
          sendJson(res, 500, { ok: false, error: text, code: 500 });
          return;
        }
      }
      default:
        sendJson(res, 404, { ok: false, error: 'Not Found', code: 404 });
    }
  };

  // ------------------------------------------------------------ v3

  const v3 = (res: ServerResponse, url: URL, route: string): void => {
    const ok = (body: unknown) => sendJson(res, 200, body);
    switch (route) {
      case 'masterchainInfo':
        return ok({ first: renderMcBlock(chain.first), last: renderMcBlock(servedHead()) });
      case 'blocks': {
        const workchain = intQuery(url, 'workchain');
        const shard = url.searchParams.get('shard');
        const seqno = intQuery(url, 'seqno');
        const mcSeqno = intQuery(url, 'mc_seqno');
        const rows: Array<{ order: bigint; block: Record<string, unknown> }> = [];
        for (const block of chain.blocks) {
          if (mcSeqno !== null && block.seqno !== mcSeqno) continue;
          for (const wc of [-1, 0]) {
            if (workchain !== null && wc !== workchain) continue;
            if (shard !== null && shard.toUpperCase() !== MASTERCHAIN_SHARD) continue;
            const number = wc === -1 ? block.seqno : block.shardSeqno;
            if (seqno !== null && number !== seqno) continue;
            rows.push({ order: BigInt(block.seqno) * 2n + BigInt(wc + 1), block: wc === -1 ? renderMcBlock(block) : renderShardBlock(block) });
          }
        }
        return ok({ blocks: page(url, sorted(url, rows, (r) => r.order)).map((r) => r.block) });
      }
      case 'transactions':
      case 'transactionsByMessage': {
        let txs = sealedTxs();
        if (route === 'transactionsByMessage') {
          const msgHash = url.searchParams.get('msg_hash');
          if (msgHash === null) throw new BadRequest('msg_hash is required');
          const wanted = hashParam(msgHash);
          const direction = url.searchParams.get('direction');
          txs = txs.filter((t) => (direction !== 'out' && t.inMsg.hash === wanted) || (direction !== 'in' && t.outMsgs.some((m) => m.hash === wanted)));
        } else {
          const accounts = addressList(url, 'account');
          const hash = url.searchParams.get('hash');
          const lt = bigQuery(url, 'lt');
          const startLt = bigQuery(url, 'start_lt');
          const endLt = bigQuery(url, 'end_lt');
          const startUtime = intQuery(url, 'start_utime');
          const endUtime = intQuery(url, 'end_utime');
          const mcSeqno = intQuery(url, 'mc_seqno');
          const wantedHash = hash === null ? null : hashParam(hash);
          txs = txs.filter(
            (t) =>
              (accounts === null || accounts.includes(t.account)) &&
              (wantedHash === null || t.hash === wantedHash) &&
              (lt === null || t.lt === lt) &&
              (startLt === null || t.lt >= startLt) &&
              (endLt === null || t.lt <= endLt) &&
              (startUtime === null || t.now >= startUtime) &&
              (endUtime === null || t.now <= endUtime) &&
              (mcSeqno === null || t.mcSeqno === mcSeqno),
          );
        }
        const rows = page(url, sorted(url, txs, (t) => t.lt));
        return ok({
          transactions: rows.map(renderTx),
          address_book: addressBook(rows.flatMap((t) => [t.account, t.inMsg.source, t.inMsg.destination, ...t.outMsgs.map((m) => m.destination)])),
        });
      }
      case 'jetton/transfers': {
        const owners = addressList(url, 'owner_address');
        const wallets = addressList(url, 'jetton_wallet');
        const masterParam = url.searchParams.get('jetton_master');
        const master = masterParam === null ? null : addressParam(masterParam);
        const direction = url.searchParams.get('direction');
        if (direction !== null && direction !== 'in' && direction !== 'out') throw new BadRequest('direction must be in or out');
        const startLt = bigQuery(url, 'start_lt');
        const endLt = bigQuery(url, 'end_lt');
        const startUtime = intQuery(url, 'start_utime');
        const endUtime = intQuery(url, 'end_utime');
        const rows = sealedTxs().filter((t) => {
          const j = t.jettonTransfer;
          if (!j) return false;
          if (owners !== null) {
            const incoming = owners.includes(j.destination);
            const outgoing = owners.includes(j.source);
            if (direction === 'in' ? !incoming : direction === 'out' ? !outgoing : !incoming && !outgoing) return false;
          }
          return (
            (wallets === null || wallets.includes(j.sourceWallet)) &&
            (master === null || j.jettonMaster === master) &&
            (startLt === null || t.lt >= startLt) &&
            (endLt === null || t.lt <= endLt) &&
            (startUtime === null || t.now >= startUtime) &&
            (endUtime === null || t.now <= endUtime)
          );
        });
        const selected = page(url, sorted(url, rows, (t) => t.lt));
        return ok({
          jetton_transfers: selected.map((t) => {
            const j = t.jettonTransfer!;
            return {
              query_id: j.queryId.toString(),
              source: rawUpper(j.source),
              destination: rawUpper(j.destination),
              amount: j.amount.toString(),
              source_wallet: rawUpper(j.sourceWallet),
              jetton_master: rawUpper(j.jettonMaster),
              transaction_hash: b64(t.hash),
              transaction_lt: t.lt.toString(),
              transaction_now: t.now,
              transaction_aborted: t.aborted,
              response_destination: j.responseDestination ? rawUpper(j.responseDestination) : null,
              custom_payload: null,
              decoded_custom_payload: null,
              forward_ton_amount: j.forwardTonAmount.toString(),
              forward_payload: j.forwardPayload ? j.forwardPayload.toBoc().toString('base64') : null,
              decoded_forward_payload: null,
              trace_id: b64(t.traceId),
            };
          }),
          metadata: {},
          address_book: addressBook(selected.flatMap((t) => [t.jettonTransfer!.source, t.jettonTransfer!.destination, t.jettonTransfer!.sourceWallet, t.jettonTransfer!.jettonMaster])),
        });
      }
      case 'jetton/wallets': {
        const addresses = addressList(url, 'address');
        const owners = addressList(url, 'owner_address');
        const jettonParam = url.searchParams.get('jetton_address');
        const jetton = jettonParam === null ? null : addressParam(jettonParam);
        const excludeZero = url.searchParams.get('exclude_zero_balance') === 'true';
        const rows: Array<{ raw: Raw; balance: bigint; owner: Raw; claims: Raw; master: Raw; lastLt: bigint }> = [];
        for (const raw of chain.jettonWallets()) {
          const account = chain.account(raw)!;
          if (account.kind.type !== 'jetton-wallet') continue;
          const w = account.kind;
          if (addresses !== null && !addresses.includes(raw)) continue;
          if (owners !== null && !owners.includes(w.owner)) continue;
          if (jetton !== null && w.claims !== jetton) continue;
          if (excludeZero && w.balance === 0n) continue;
          rows.push({ raw, balance: w.balance, owner: w.owner, claims: w.claims, master: w.master, lastLt: account.lastLt });
        }
        const selected = page(url, url.searchParams.has('sort') ? sorted(url, rows, (r) => r.balance) : rows);
        return ok({
          jetton_wallets: selected.map((r) => ({
            address: rawUpper(r.raw),
            balance: r.balance.toString(),
            owner: rawUpper(r.owner),
            jetton: rawUpper(r.claims),
            last_transaction_lt: r.lastLt.toString(),
            code_hash: b64(jettonWalletCodeHash(r.master)),
            data_hash: pseudoHash(`data:${r.raw}:${r.balance}`),
          })),
          address_book: addressBook(selected.flatMap((r) => [r.raw, r.owner, r.claims])),
          metadata: {},
        });
      }
      default:
        sendJson(res, 404, { error: `route ${route} not found` });
    }
  };

  const handler: SimulatorHandler = async (req, res, url) => {
    requests += 1;
    const match = /^\/api\/(v2|v3)\/(.+)$/u.exec(url.pathname);
    const version = match?.[1] ?? null;
    const failure = failures.take();
    if (failure) return renderFailure(res, failure, version === 'v3');
    if (apiKey !== null && req.headers[TON_API_KEY_HEADER.toLowerCase()] !== apiKey && url.searchParams.get('api_key') !== apiKey) {
      sendJson(res, 401, version === 'v3' ? { error: 'API key does not exist' } : { ok: false, error: 'API key does not exist', code: 401 });
      return;
    }
    if (!match) {
      sendJson(res, 404, { error: 'Not Found' });
      return;
    }
    try {
      if (version === 'v2') await v2(req, res, url, match[2]!);
      else if (req.method !== 'GET') sendJson(res, 405, { error: 'Method Not Allowed' });
      else v3(res, url, match[2]!);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      const status = error.message === 'Incorrect address' ? 416 : 422;
      sendJson(res, status, version === 'v3' ? { error: error.message } : { ok: false, error: error.message, code: status });
    }
  };

  const intervalMs = options.blockIntervalMs === undefined ? 5_000 : options.blockIntervalMs;
  const timer = intervalMs === null ? null : setInterval(() => chain.mine(), intervalMs);
  timer?.unref();

  return {
    handler,
    chain,
    faucetAddress: normalizeTonAddress(chain.faucet),
    usdtMaster: usdt.contract!,
    mine,
    send: faucetSend,
    sendBoc: (boc) => ({ messageHash: chain.sendExternal(boc).messageHash }),
    createFakeJetton: (opts = {}) => {
      fakes += 1;
      const master: Raw = `0:${hex.encode(sha256(new TextEncoder().encode(`fake-jetton:${fakes}`)))}`;
      chain.addJettonMaster(master, {
        symbol: opts.symbol ?? 'USDT',
        decimals: opts.decimals ?? 6,
        genuine: false,
        ...(opts.impersonate ? { claims: usdtMaster } : {}),
      });
      chain.allocate(chain.faucet, 0n, { master, amount: faucetJettons });
      return friendly(master, true);
    },
    reorg: (depth, opts) => {
      const { removed } = chain.reorg(depth, opts);
      return { head: chain.head.seqno, removed: removed.map((b) => b.seqno) };
    },
    balance: (address) => chain.account(toRaw(address))?.balance ?? 0n,
    jettonBalance: (owner, master) => {
      const account = chain.account(jettonWalletAddress(masterOf(master), toRaw(owner)));
      return account?.kind.type === 'jetton-wallet' ? account.kind.balance : 0n;
    },
    jettonWalletAddress: (owner, master) => friendly(jettonWalletAddress(masterOf(master), toRaw(owner)), true),
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
export function startTonSimulator(options: TonSimulatorOptions = {}): Promise<TonSimulator> {
  return serveSimulator(createTonSimulator(options));
}
