import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';

const ED25519_SEED_KEY = new TextEncoder().encode('ed25519 seed');
const HARDENED = 0x8000_0000;

/**
 * SLIP-0010 private key derivation for ed25519 (hardened steps only, as the curve requires).
 * `path` holds the unhardened indices; each is hardened here. Returns the 32-byte private key
 * (the ed25519 seed); every intermediate key and chain code is zeroed before returning.
 */
export function slip10Ed25519PrivateKey(seed: Uint8Array, path: readonly number[]): Uint8Array {
  let node = hmac(sha512, ED25519_SEED_KEY, seed);
  for (const index of path) {
    if (!Number.isInteger(index) || index < 0 || index >= HARDENED) {
      throw new RangeError('SLIP-0010 index must be an integer in [0, 2^31)');
    }
    const data = new Uint8Array(37);
    data.set(node.subarray(0, 32), 1); // 0x00 || k_par
    new DataView(data.buffer).setUint32(33, (index | HARDENED) >>> 0, false);
    const child = hmac(sha512, node.subarray(32, 64), data);
    data.fill(0);
    node.fill(0);
    node = child;
  }
  const key = node.slice(0, 32);
  node.fill(0);
  return key;
}
