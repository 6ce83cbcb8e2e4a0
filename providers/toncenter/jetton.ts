import { Address, beginCell, Cell } from '@ton/core';

/** TEP-74 operation codes (jetton standard) and the text-comment prefix. */
export const JETTON_OP = {
  transfer: 0x0f8a7ea5,
  internalTransfer: 0x178d4519,
  transferNotification: 0x7362d09c,
  excesses: 0xd53276db,
} as const;
/** A bounced message body starts with 0xffffffff. */
export const BOUNCED_PREFIX = 0xffffffff;

/** A cell holding one address (what `get_wallet_address` takes and returns), base64 BOC. */
export function addressCellBoc(address: Address): string {
  return beginCell().storeAddress(address).endCell().toBoc().toString('base64');
}

/** The address in a one-address cell/slice BOC; throws if it holds something else. */
export function addressFromCellBoc(boc: string): Address {
  const address = Cell.fromBase64(boc).beginParse().loadAddress();
  if (!address) throw new Error('cell holds no address');
  return address;
}

/** The text of a comment body (op 0 + UTF-8 tail), or null. */
export function commentOf(body: Cell): string | null {
  try {
    const slice = body.beginParse();
    if (slice.remainingBits < 32 || slice.loadUint(32) !== 0) return null;
    return slice.loadStringTail();
  } catch {
    return null;
  }
}
