import type { IncomingMessage, ServerResponse } from 'node:http';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64, hex } from '@scure/base';
import { Cell } from '@ton/core';
import { readRequestBody, sendJson } from '../http/simulator.server.js';
import { jettonWalletCodeHash } from './jettons.js';
import { ExternalRejectedError, type McBlock, type Raw, type SimTx } from './state.js';
import type { TonChain } from './ton-chain.js';
import { MASTERCHAIN_SHARD } from '../../providers/toncenter/toncenter.client.js';
import {
  BadRequest,
  b64,
  blockIdExt,
  friendly,
  pseudoHash,
  rawUpper,
  renderMcBlock,
  renderShardBlock,
  renderTx,
  toRaw,
} from './toncenter.render.js';

export interface ToncenterRouteDeps {
  chain: TonChain;
  /** The head the node admits to (behind the real one while a head lag is set). */
  servedHead(): McBlock;
  /** Every transaction in a sealed block. */
  sealedTxs(): SimTx[];
  /** Requests served so far (v2 answers carry it in `@extra`). */
  requests(): number;
}

/** toncenter's API v2 and v3 routes over the emulated chain: `v2(req, res, url, method)`, `v3(res, url, route)`. */
export function createToncenterRoutes(deps: ToncenterRouteDeps) {
  const { chain, servedHead, sealedTxs } = deps;

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
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new BadRequest('body must be an object');
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
      book[rawUpper(raw)] = {
        user_friendly: friendly(raw, kind !== 'wallet' && kind !== 'none' && kind !== 'faucet'),
        domain: null,
      };
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
      const bytes =
        typeof value === 'string'
          ? value
          : typeof value === 'object' && value !== null && typeof (value as { bytes?: unknown }).bytes === 'string'
            ? (value as { bytes: string }).bytes
            : null;
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
    const ok = (result: unknown) =>
      sendJson(res, 200, { ok: true, result, '@extra': `${Date.now() / 1000}:0:0.${deps.requests()}` });
    switch (method) {
      case 'getMasterchainInfo': {
        const head = servedHead();
        return ok({
          '@type': 'blocks.masterchainInfo',
          last: blockIdExt(head),
          state_root_hash: pseudoHash(`state:${head.rootHash}`),
          init: blockIdExt(chain.first),
        });
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
        const result =
          typeof p.method === 'number' ? { exitCode: 11, stack: [] } : chain.runGetMethod(raw, p.method, stack);
        return ok({
          '@type': 'smc.runResult',
          gas_used: result.exitCode === 0 ? 1_893 : 0,
          stack: result.stack.map((e) =>
            e.type === 'num'
              ? ['num', e.value < 0n ? '-0x' + (-e.value).toString(16) : '0x' + e.value.toString(16)]
              : ['cell', { bytes: e.cell.toBoc().toString('base64') }],
          ),
          exit_code: result.exitCode,
          block_id: blockIdExt(chain.head),
          last_transaction_id: {
            '@type': 'internal.transactionId',
            lt: (chain.account(raw)?.lastLt ?? 0n).toString(),
            hash: b64(chain.account(raw)?.lastHash ?? '0'.repeat(64)),
          },
        });
      }
      case 'estimateFee': {
        // The wallet transaction the external message would cause, priced as the emulated wallet charges it: its
        // compute fee, plus one forward fee per message it sends (one reference of the body per message). No
        // storage or import fee is charged by the emulator, so none is estimated.
        if (req.method !== 'POST') throw new BadRequest('use POST');
        addressParam(p.address);
        if (typeof p.body !== 'string') throw new BadRequest('body is required');
        let body: Cell;
        try {
          body = Cell.fromBase64(p.body);
        } catch {
          throw new BadRequest('failed to deserialize the body cell');
        }
        const fee = (n: bigint) => Number(n);
        return ok({
          '@type': 'query.fees',
          source_fees: {
            '@type': 'fees',
            in_fwd_fee: 0,
            storage_fee: 0,
            gas_fee: fee(chain.fees.walletGas),
            fwd_fee: fee(BigInt(body.refs.length) * chain.fees.forward),
          },
          destination_fees: [],
        });
      }
      case 'sendBoc':
      case 'sendBocReturnHash': {
        if (req.method !== 'POST') throw new BadRequest('use POST');
        if (typeof p.boc !== 'string') throw new BadRequest('boc is required');
        try {
          const { messageHash } = chain.sendExternal(p.boc);
          return ok(
            method === 'sendBoc'
              ? { '@type': 'ok', '@extra': '0:0:0' }
              : { '@type': 'raw.extMessageInfo', hash: b64(messageHash) },
          );
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
            rows.push({
              order: BigInt(block.seqno) * 2n + BigInt(wc + 1),
              block: wc === -1 ? renderMcBlock(block) : renderShardBlock(block),
            });
          }
        }
        return ok({
          blocks: page(
            url,
            sorted(url, rows, (r) => r.order),
          ).map((r) => r.block),
        });
      }
      case 'transactions':
      case 'transactionsByMessage': {
        let txs = sealedTxs();
        if (route === 'transactionsByMessage') {
          const msgHash = url.searchParams.get('msg_hash');
          if (msgHash === null) throw new BadRequest('msg_hash is required');
          const wanted = hashParam(msgHash);
          const direction = url.searchParams.get('direction');
          txs = txs.filter(
            (t) =>
              (direction !== 'out' && t.inMsg.hash === wanted) ||
              (direction !== 'in' && t.outMsgs.some((m) => m.hash === wanted)),
          );
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
        const rows = page(
          url,
          sorted(url, txs, (t) => t.lt),
        );
        return ok({
          transactions: rows.map(renderTx),
          address_book: addressBook(
            rows.flatMap((t) => [
              t.account,
              t.inMsg.source,
              t.inMsg.destination,
              ...t.outMsgs.map((m) => m.destination),
            ]),
          ),
        });
      }
      case 'jetton/transfers': {
        const owners = addressList(url, 'owner_address');
        const wallets = addressList(url, 'jetton_wallet');
        const masterParam = url.searchParams.get('jetton_master');
        const master = masterParam === null ? null : addressParam(masterParam);
        const direction = url.searchParams.get('direction');
        if (direction !== null && direction !== 'in' && direction !== 'out')
          throw new BadRequest('direction must be in or out');
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
        const selected = page(
          url,
          sorted(url, rows, (t) => t.lt),
        );
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
          address_book: addressBook(
            selected.flatMap((t) => [
              t.jettonTransfer!.source,
              t.jettonTransfer!.destination,
              t.jettonTransfer!.sourceWallet,
              t.jettonTransfer!.jettonMaster,
            ]),
          ),
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
          rows.push({
            raw,
            balance: w.balance,
            owner: w.owner,
            claims: w.claims,
            master: w.master,
            lastLt: account.lastLt,
          });
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

  return { v2, v3 };
}
