import type { ServerResponse } from 'node:http';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64, hex } from '@scure/base';
import type { FailureSpec } from '../http/simulator.failures.js';
import { sendJson } from '../http/simulator.server.js';
import { decodeTonAddress, encodeTonAddress } from '../../chains/address.js';
import type { McBlock, Raw, SimMessage, SimTx } from './state.js';
import { MASTERCHAIN_SHARD } from '../../providers/toncenter/toncenter.client.js';

/** toncenter's wire format for the emulated chain's records (v2 and v3), and its failure answers. */

export const b64 = (hexText: string): string => base64.encode(hex.decode(hexText));
export const rawUpper = (raw: Raw): string => {
  const [wc, h] = raw.split(':');
  return `${wc}:${h!.toUpperCase()}`;
};
export const toRaw = (address: string): Raw => {
  const { workchain, hash } = decodeTonAddress(address);
  return `${workchain}:${hex.encode(hash)}`;
};
export const friendly = (raw: Raw, bounceable: boolean): string => {
  const { workchain, hash } = decodeTonAddress(raw);
  return encodeTonAddress({ workchain, hash }, { bounceable, testnet: false });
};
export const pseudoHash = (label: string): string => b64(hex.encode(sha256(new TextEncoder().encode(label))));

export function renderMessage(m: SimMessage): Record<string, unknown> {
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
      decoded:
        m.comment !== null
          ? { type: 'text_comment', comment: m.comment }
          : bodyCell.bits.length === 0
            ? { '@type': 'empty_cell' }
            : null,
    },
    init_state: m.init ? { hash: b64(m.init.hash().toString('hex')), body: m.init.toBoc().toString('base64') } : null,
  };
}

/** Total fees minus the forwarding fees of the messages the transaction sent. */
export function gasFees(tx: SimTx): bigint {
  const forwarded = tx.outMsgs.reduce((sum, m) => sum + (m.fwdFee ?? 0n), 0n);
  return tx.totalFees > forwarded ? tx.totalFees - forwarded : 0n;
}

export function renderTx(tx: SimTx): Record<string, unknown> {
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
    account_state_before: {
      hash: pseudoHash(`state:${tx.account}:${tx.prevLt}`),
      balance: null,
      extra_currencies: null,
      account_status: null,
      frozen_hash: null,
      data_hash: null,
      code_hash: null,
    },
    account_state_after: {
      hash: pseudoHash(`state:${tx.account}:${tx.lt}`),
      balance: null,
      extra_currencies: null,
      account_status: tx.endStatus,
      frozen_hash: null,
      data_hash: null,
      code_hash: null,
    },
    emulated: false,
  };
}

export function renderMcBlock(block: McBlock): Record<string, unknown> {
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

export function renderShardBlock(block: McBlock): Record<string, unknown> {
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

export function blockIdExt(block: McBlock): Record<string, unknown> {
  return {
    '@type': 'ton.blockIdExt',
    workchain: -1,
    shard: '-9223372036854775808',
    seqno: block.seqno,
    root_hash: b64(block.rootHash),
    file_hash: b64(block.fileHash),
  };
}

// ---------------------------------------------------------------- failures

export function renderFailure(res: ServerResponse, failure: FailureSpec, v3: boolean): void {
  switch (failure.mode) {
    case 'hang':
      return;
    case 'rate-limit':
      sendJson(res, 429, v3 ? { error: 'Ratelimit exceeded' } : { ok: false, error: 'Ratelimit exceed', code: 429 });
      return;
    case 'server-error':
      sendJson(
        res,
        500,
        v3 ? { error: 'internal server error' } : { ok: false, error: 'LITE_SERVER_NETWORK: timeout', code: 500 },
      );
      return;
    case 'malformed-json':
      sendJson(
        res,
        200,
        v3 ? '{"transactions":[{"account":"0:' : '{"ok":true,"result":{"@type":"blocks.masterchainInfo","last":',
      );
      return;
  }
}

/** A request the real API would refuse (400-range answer). */
export class BadRequest extends Error {}
