import { zTonHash } from '../../../providers/toncenter/toncenter.wire.js';
import type { Network } from '../custody/index.js';

const HEX64 = /^(0x)?([0-9a-fA-F]{64})$/u;

/**
 * A transaction hash as a person pastes it (from a wallet app or an explorer) → the form the watchers store:
 * ETH/BSC `0x` + lower-case hex; TRON lower-case hex without `0x`; TON lower-case hex, also from the base64 or
 * base64url form explorers and toncenter show. null when it is not a 256-bit hash at all.
 */
export function normalizeTxHash(network: Network, input: string): string | null {
  const value = input.trim();
  if (network === 'TON') {
    const parsed = zTonHash.safeParse(value);
    return parsed.success ? parsed.data : null;
  }
  const match = HEX64.exec(value);
  if (!match) return null;
  const hex = match[2]!.toLowerCase();
  return network === 'TRON' ? hex : `0x${hex}`;
}
