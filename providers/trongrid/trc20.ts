import { hex } from '@scure/base';
import { encodeTronAddress } from '../../chains/address.js';
import type { TronLog, TronTransactionInfo } from './trongrid.wire.js';

/** keccak256("Transfer(address,address,uint256)"), as TRON logs carry topics: hex without 0x. */
export const TRC20_TRANSFER_TOPIC = 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

export interface Trc20Transfer {
  /** Token contract, base58 `T…`. */
  contract: string;
  from: string;
  to: string;
  amount: bigint;
}

function accountFromTopic(topic: string): string | null {
  if (!/^0{24}[0-9a-f]{40}$/u.test(topic)) return null;
  return encodeTronAddress(hex.decode(topic.slice(24)));
}

/** The transfer a TRC20 `Transfer(from, to, value)` log records, or null for any other log. */
export function decodeTrc20TransferLog(log: TronLog): Trc20Transfer | null {
  if (log.topics.length !== 3 || log.topics[0] !== TRC20_TRANSFER_TOPIC) return null;
  if (!/^[0-9a-f]{64}$/u.test(log.data)) return null;
  const from = accountFromTopic(log.topics[1]!);
  const to = accountFromTopic(log.topics[2]!);
  if (from === null || to === null) return null;
  return { contract: log.address, from, to, amount: BigInt('0x' + log.data) };
}

/**
 * TRC20 transfers executed by a transaction: none unless it succeeded (the docs: check the result before reading
 * logs), each with its log index so (txid, index) is unique.
 */
export function trc20TransfersOf(info: TronTransactionInfo): Array<Trc20Transfer & { logIndex: number }> {
  if (!info.success || (info.receiptResult !== null && info.receiptResult !== 'SUCCESS')) return [];
  const out: Array<Trc20Transfer & { logIndex: number }> = [];
  info.logs.forEach((log, logIndex) => {
    const transfer = decodeTrc20TransferLog(log);
    if (transfer) out.push({ ...transfer, logIndex });
  });
  return out;
}
