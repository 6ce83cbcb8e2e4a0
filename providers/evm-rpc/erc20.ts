import { hex } from '@scure/base';
import { toChecksumAddress } from '../../chains/address.js';
import type { EvmLog } from './evm-rpc.wire.js';

/** keccak256("Transfer(address,address,uint256)"): topic0 of ERC20/BEP20 (and TRC20) transfers. */
export const ERC20_TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
/** balanceOf(address) */
export const ERC20_BALANCE_OF_SELECTOR = '0x70a08231';

export interface Erc20Transfer {
  token: string;
  from: string;
  to: string;
  amount: bigint;
}

function accountFromTopic(topic: string): string | null {
  const body = topic.slice(2);
  // An indexed address is left-padded with 12 zero bytes; anything else is not a standard Transfer.
  if (!/^0{24}[0-9a-f]{40}$/u.test(body)) return null;
  return toChecksumAddress(hex.decode(body.slice(24)));
}

/**
 * The transfer an ERC20 `Transfer(from, to, value)` log records, or null when the log is something else (other
 * topic0, ERC721's 4-topic Transfer, malformed padding or data). Removed logs (reorged out) decode too; the caller
 * checks `log.removed`.
 */
export function decodeErc20TransferLog(log: Pick<EvmLog, 'address' | 'topics' | 'data'>): Erc20Transfer | null {
  if (log.topics.length !== 3 || log.topics[0] !== ERC20_TRANSFER_TOPIC) return null;
  if (!/^0x[0-9a-f]{64}$/u.test(log.data)) return null;
  const from = accountFromTopic(log.topics[1]!);
  const to = accountFromTopic(log.topics[2]!);
  if (from === null || to === null) return null;
  return { token: log.address, from, to, amount: BigInt(log.data) };
}

/** Call data of `balanceOf(owner)`. */
export function encodeBalanceOf(owner: string): string {
  const account = owner.toLowerCase().replace(/^0x/u, '');
  if (!/^[0-9a-f]{40}$/u.test(account)) throw new TypeError('owner must be a 20-byte hex address');
  return ERC20_BALANCE_OF_SELECTOR + account.padStart(64, '0');
}

/** A topic holding an address (for `eth_getLogs` filters on indexed `from`/`to`). */
export function addressTopic(address: string): string {
  const account = address.toLowerCase().replace(/^0x/u, '');
  if (!/^[0-9a-f]{40}$/u.test(account)) throw new TypeError('expected a 20-byte hex address');
  return '0x' + account.padStart(64, '0');
}
