import type { IncomingMessage, ServerResponse } from 'node:http';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad, hex } from '@scure/base';
import { tronBase58Of, type ChainBlock } from './state.js';
import type { TronChain } from './tron-chain.js';
import { BANDWIDTH_PRICE_SUN, ENERGY_PRICE_SUN, TRANSFER_SELECTOR } from './contracts.js';
import { encodeRawData, rawDataToJson, type RawData } from './tron-raw-data.js';
import {
  SELECTOR_BALANCE_OF,
  TYPE_URL,
  SELECTOR_DECIMALS,
  addressParam,
  boolParam,
  intParam,
  parseBroadcast,
  renderBlock,
  renderInfo,
  renderTx,
  send,
  utf8Hex,
  type Params,
} from './trongrid.render.js';

export interface TronGridRouteDeps {
  chain: TronChain;
  /** The head the node admits to (behind the real one while a head lag is set). */
  servedHead(solidified: boolean): ChainBlock;
}

/**
 * TronGrid's routes over the emulated chain: FullNode `/wallet/*` and `/walletsolidity/*` (blocks, transaction
 * infos, accounts, constant calls, broadcast) and TronGrid v1 TRC20 history. `route` answers one request whose
 * query and JSON body are already merged into `params`.
 */
export function createTronGridRoutes(deps: TronGridRouteDeps) {
  const { chain, servedHead } = deps;

  /** TronGrid v1 TRC20 history of `owner` from the chain's blocks. */
  const trc20History = (res: ServerResponse, ownerHex: string, params: Params, url: URL): void => {
    if (boolParam(params.only_confirmed) && boolParam(params.only_unconfirmed)) {
      send(res, 400, {
        success: false,
        error: 'only_confirmed and only_unconfirmed cannot be used together',
        statusCode: 400,
      });
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
      send(res, 200, {
        result: {
          code: 'OTHER_ERROR',
          message: utf8Hex('class org.tron.core.exception.ContractValidateException : invalid address'),
        },
      });
      return;
    }
    const token = chain.token(contractHex);
    if (!token) {
      send(res, 200, { result: { code: 'CONTRACT_VALIDATE_ERROR', message: 'Smart contract is not exist.' } });
      return;
    }
    let data: string;
    if (typeof params.data === 'string') data = params.data.toLowerCase();
    else if (params.function_selector === 'balanceOf(address)')
      data = SELECTOR_BALANCE_OF + String(params.parameter ?? '').toLowerCase();
    else if (params.function_selector === 'decimals()') data = SELECTOR_DECIMALS;
    else data = '';
    const head = chain.head;
    const raw: RawData = {
      refBlockBytes: hex.decode(head.blockID.slice(12, 16)),
      refBlockNum: 0n,
      refBlockHash: hex.decode(head.blockID.slice(16, 32)),
      expiration: BigInt(head.timestamp) + 60_000n,
      data: new Uint8Array(),
      timestamp: BigInt(head.timestamp),
      feeLimit: 0n,
      contract: {
        type: 'TriggerSmartContract',
        typeUrl: TYPE_URL + 'TriggerSmartContract',
        owner: hex.decode(owner),
        contract: hex.decode(contractHex),
        callValue: 0n,
        data: /^(?:[0-9a-f]{2})*$/u.test(data) ? hex.decode(data) : new Uint8Array(),
        callTokenValue: 0n,
        tokenId: 0n,
        permissionId: 0,
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
      word = chain
        .tokenBalance(contractHex, '41' + data.slice(32))
        .toString(16)
        .padStart(64, '0');
    } else if (data === SELECTOR_DECIMALS) {
      word = token.decimals.toString(16).padStart(64, '0');
    } else if (data.length === 8 + 128 && data.startsWith(TRANSFER_SELECTOR) && data.slice(8, 32) === '0'.repeat(24)) {
      // transfer(to, value): what executing it would do, and the energy the emulated token burns for it.
      if (chain.tokenBalance(contractHex, owner) >= BigInt('0x' + data.slice(72))) {
        send(res, 200, {
          result: { result: true },
          energy_used: Number(chain.fees.trc20Sun / ENERGY_PRICE_SUN),
          constant_result: ['1'.padStart(64, '0')],
          transaction: transaction(false),
        });
        return;
      }
    }
    if (word === null) {
      send(res, 200, {
        result: { result: true, message: 'REVERT opcode executed' },
        energy_used: 211,
        constant_result: [''],
        transaction: transaction(true),
      });
      return;
    }
    send(res, 200, {
      result: { result: true },
      energy_used: 935,
      constant_result: [word],
      transaction: transaction(false),
    });
  };

  const broadcast = (res: ServerResponse, params: Params): void => {
    const parsed = parseBroadcast(params);
    if (!parsed.ok) {
      if (parsed.unsupported !== null) {
        send(res, 200, {
          result: false,
          code: 'CONTRACT_VALIDATE_ERROR',
          message: utf8Hex(`contract type ${parsed.unsupported} is not supported by the simulator`),
        });
        return;
      }
      send(res, 200, { Error: 'class java.lang.NullPointerException : null' });
      return;
    }
    const outcome = chain.submit(parsed.raw, parsed.signatures, parsed.txID);
    if (outcome.kind === 'accepted') send(res, 200, { result: true, code: 'SUCCESS', txid: outcome.txid });
    else send(res, 200, { result: false, code: outcome.code, message: utf8Hex(outcome.message), txid: outcome.txid });
  };

  const route = (req: IncomingMessage, res: ServerResponse, url: URL, params: Params): void => {
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
          send(res, 200, {
            Error:
              'class java.lang.IllegalArgumentException : startNum/endNum must satisfy endNum > startNum and endNum - startNum <= 100',
          });
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
        send(
          res,
          200,
          method === 'gettransactionbyid' ? renderTx(found.tx, visible) : renderInfo(found.block, found.tx, visible),
        );
        return;
      }
      case 'getaccount': {
        const address = addressParam(params.address);
        if (address === null)
          return send(res, 200, {
            Error: 'class org.tron.core.services.http.JsonFormat$ParseException : INVALID hex String',
          });
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
      case 'getchainparameters':
        // java-tron's keys; a zero value is omitted (protobuf JSON defaults). Energy and bandwidth prices are the ones
        // the emulated contracts charge.
        send(res, 200, {
          chainParameter: [
            { key: 'getMaintenanceTimeInterval', value: 21_600_000 },
            { key: 'getCreateAccountFee', value: 100_000 },
            { key: 'getTransactionFee', value: Number(BANDWIDTH_PRICE_SUN) },
            { key: 'getCreateNewAccountFeeInSystemContract', value: Number(chain.fees.newAccountSun) },
            { key: 'getCreateNewAccountBandwidthRate', value: 1 },
            { key: 'getEnergyFee', value: Number(ENERGY_PRICE_SUN) },
            { key: 'getMaxFeeLimit', value: 15_000_000_000 },
          ],
        });
        return;
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

  return { route };
}
