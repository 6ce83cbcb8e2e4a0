import { base64, hex } from '@scure/base';
import type { Network } from './network.js';

const HEX64 = /^(0x)?([0-9a-fA-F]{64})$/u;

/** A TON 256-bit hash in hex, base64 (toncenter v3) or base64url (explorers) → lower-case hex; null otherwise. */
export function tonHashToHex(value: string): string | null {
  if (/^[0-9a-fA-F]{64}$/u.test(value)) return value.toLowerCase();
  if (/^[A-Za-z0-9+/]{43}=$/u.test(value)) return hex.encode(base64.decode(value));
  if (/^[A-Za-z0-9_-]{43}=?$/u.test(value))
    return hex.encode(base64.decode(value.replace(/-/gu, '+').replace(/_/gu, '/').replace(/=?$/u, '=')));
  return null;
}

/**
 * A transaction hash as a person pastes it (from a wallet app or an explorer) → the form the watchers store:
 * ETH/BSC `0x` + lower-case hex; TRON lower-case hex without `0x`; TON lower-case hex, also from the base64 or
 * base64url form explorers and toncenter show. null when it is not a 256-bit hash at all.
 */
export function normalizeTxHash(network: Network, input: string): string | null {
  const value = input.trim();
  if (network === 'TON') return tonHashToHex(value);
  const match = HEX64.exec(value);
  if (!match) return null;
  const hex = match[2]!.toLowerCase();
  return network === 'TRON' ? hex : `0x${hex}`;
}
