import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { HDKey } from '@scure/bip32';
import { encodeTonAddress, evmAddressFromPublicKey, tronAddressFromPublicKey } from '../../../chains/address.js';
import type { Network } from '../../../chains/network.js';
import { slip10Ed25519PrivateKey } from './slip10.js';
import { TON_WALLET_WORKCHAIN, walletV4R2AccountHash } from '../../../chains/ton-wallet.js';

const HARDENED = 0x8000_0000;
/** Largest custody index: TON hardens it, so it must stay below 2^31. */
export const MAX_CUSTODY_INDEX = HARDENED - 1;

export class InvalidCustodyIndexError extends RangeError {
  readonly code = 'INVALID_CUSTODY_INDEX';
  constructor(index: unknown) {
    super(`custody index must be an integer in [0, ${MAX_CUSTODY_INDEX}], got ${String(index)}`);
    this.name = 'InvalidCustodyIndexError';
  }
}

function assertIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_CUSTODY_INDEX) {
    throw new InvalidCustodyIndexError(index);
  }
}

/**
 * Which family of keys an index names. `deposit`: users' deposit addresses (the custody index). `hot`: the
 * platform's hot wallets, a branch no deposit index can reach — BIP44 account 1' on ETH/BSC/TRON (deposits use
 * account 0'), and a four-level SLIP-0010 path under m/44'/607'/0'/1' on TON (deposits are three levels deep).
 */
export type CustodyBranch = 'deposit' | 'hot';

/** Path segments; a hardened segment carries the 2^31 bit. */
function pathSegments(network: Network, index: number, branch: CustodyBranch = 'deposit'): number[] {
  assertIndex(index);
  if (branch !== 'deposit' && branch !== 'hot') throw new RangeError(`unknown custody branch ${String(branch)}`);
  const account = branch === 'hot' ? 1 : 0;
  switch (network) {
    case 'ETH':
    case 'BSC':
      return [44 + HARDENED, 60 + HARDENED, account + HARDENED, 0, index];
    case 'TRON':
      return [44 + HARDENED, 195 + HARDENED, account + HARDENED, 0, index];
    case 'TON':
      return branch === 'hot'
        ? [44 + HARDENED, 607 + HARDENED, 0 + HARDENED, 1 + HARDENED, index + HARDENED]
        : [44 + HARDENED, 607 + HARDENED, index + HARDENED];
    default:
      throw new RangeError(`unknown network ${String(network)}`);
  }
}

/** BIP44 path for ETH/BSC/TRON, SLIP-0010 (all hardened) path for TON; `branch` defaults to deposit addresses. */
export function derivationPath(network: Network, index: number, branch: CustodyBranch = 'deposit'): string {
  return (
    'm/' +
    pathSegments(network, index, branch)
      .map((s) => (s >= HARDENED ? `${s - HARDENED}'` : String(s)))
      .join('/')
  );
}

function assertSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length < 16 || seed.length > 64) {
    throw new RangeError('seed must be 16–64 bytes (a BIP39 seed is 64)');
  }
}

/** BIP32 walk that zeroes every intermediate private key on the way. */
function bip32PrivateKey(seed: Uint8Array, segments: readonly number[]): Uint8Array {
  let node = HDKey.fromMasterSeed(seed);
  try {
    for (const segment of segments) {
      const child = node.deriveChild(segment);
      node.wipePrivateData();
      node = child;
    }
    const key = node.privateKey;
    if (!key) throw new Error('BIP32 derivation produced no private key');
    return key;
  } finally {
    node.wipePrivateData();
  }
}

/** The raw private key for (network, index). The caller MUST zero it; keep this module-private. */
function derivePrivateKey(
  seed: Uint8Array,
  network: Network,
  index: number,
  branch: CustodyBranch = 'deposit',
): Uint8Array {
  assertSeed(seed);
  const segments = pathSegments(network, index, branch);
  if (network === 'TON')
    return slip10Ed25519PrivateKey(
      seed,
      segments.map((s) => s - HARDENED),
    );
  return bip32PrivateKey(seed, segments);
}

function publicKeyOf(network: Network, privateKey: Uint8Array): Uint8Array {
  return network === 'TON' ? ed25519.getPublicKey(privateKey) : secp256k1.getPublicKey(privateKey, true);
}

export interface KeyPair {
  /** 32-byte secp256k1 scalar or ed25519 seed. Zeroed as soon as the callback settles. */
  readonly privateKey: Uint8Array;
  /** Compressed secp256k1 (33 bytes) or ed25519 (32 bytes). */
  readonly publicKey: Uint8Array;
}

/**
 * Derives the key pair for one operation, hands it to `fn`, and zeroes the private key when
 * `fn` returns or its promise settles (also on error). `fn` must not keep, return or log it.
 * Internal to the custody core: not re-exported from index.ts.
 */
export async function withPrivateKey<T>(
  seed: Uint8Array,
  network: Network,
  index: number,
  fn: (key: KeyPair) => T | Promise<T>,
  branch: CustodyBranch = 'deposit',
): Promise<T> {
  const privateKey = derivePrivateKey(seed, network, index, branch);
  try {
    const publicKey = publicKeyOf(network, privateKey);
    const result = await fn({ privateKey, publicKey });
    if (result === (privateKey as unknown)) throw new Error('withPrivateKey callback must not return the key');
    return result;
  } finally {
    privateKey.fill(0);
  }
}

/** Public key for (network, index); the private key exists only inside this call. */
export function derivePublicKey(
  seed: Uint8Array,
  network: Network,
  index: number,
  branch: CustodyBranch = 'deposit',
): Uint8Array {
  const privateKey = derivePrivateKey(seed, network, index, branch);
  try {
    return publicKeyOf(network, privateKey);
  } finally {
    privateKey.fill(0);
  }
}

/** The address a public key controls, in the network's canonical form. */
export function addressFromPublicKey(network: Network, publicKey: Uint8Array): string {
  switch (network) {
    case 'ETH':
    case 'BSC':
      return evmAddressFromPublicKey(publicKey);
    case 'TRON':
      return tronAddressFromPublicKey(publicKey);
    case 'TON':
      return encodeTonAddress(
        { workchain: TON_WALLET_WORKCHAIN, hash: walletV4R2AccountHash(publicKey) },
        { bounceable: false, testnet: false },
      );
    default:
      throw new RangeError(`unknown network ${String(network)}`);
  }
}

/**
 * Deposit address for custody index `index`: EIP-55 for ETH/BSC, base58check `T…` for TRON,
 * v4R2 wallet (workchain 0, subwallet 698983191) as non-bounceable `UQ…` for TON.
 */
export function deriveAddress(
  seed: Uint8Array,
  network: Network,
  index: number,
  branch: CustodyBranch = 'deposit',
): string {
  return addressFromPublicKey(network, derivePublicKey(seed, network, index, branch));
}

/**
 * BIP32 fingerprint of the root (first 4 bytes of HASH160 of the master public key), 8 hex digits:
 * names a custody root without revealing anything that derives keys or addresses.
 */
export function rootFingerprint(seed: Uint8Array): string {
  assertSeed(seed);
  const master = HDKey.fromMasterSeed(seed);
  try {
    return master.fingerprint.toString(16).padStart(8, '0');
  } finally {
    master.wipePrivateData();
  }
}
