import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { base58, base64, base64url, hex } from '@scure/base';
import type { Network } from './network.js';

export interface AddressValidation {
  valid: boolean;
  /** Canonical form (EIP-55, base58check `T…`, TON non-bounceable url-safe `UQ…`) when valid. */
  normalized: string | null;
  /** Why the address was refused; null when valid. */
  reason: string | null;
}

const TRON_PREFIX = 0x41;
const TON_TAG_BOUNCEABLE = 0x11;
const TON_TAG_NON_BOUNCEABLE = 0x51;
const TON_TAG_TESTNET = 0x80;

function ok(normalized: string): AddressValidation {
  return { valid: true, normalized, reason: null };
}

function refuse(reason: string): AddressValidation {
  return { valid: false, normalized: null, reason };
}

function isAllZero(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// ---------------------------------------------------------------- EVM (ETH, BSC)

/** EIP-55 mixed-case checksum encoding of a 20-byte account. */
export function toChecksumAddress(account: Uint8Array): string {
  if (account.length !== 20) throw new RangeError('an EVM address is 20 bytes');
  const lower = hex.encode(account);
  const digest = hex.encode(keccak_256(new TextEncoder().encode(lower)));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    out += parseInt(digest[i]!, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/** keccak256(uncompressed public key without its 0x04 prefix), last 20 bytes. */
export function evmAccountFromPublicKey(publicKey: Uint8Array): Uint8Array {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return keccak_256(uncompressed.subarray(1)).slice(12);
}

export function evmAddressFromPublicKey(publicKey: Uint8Array): string {
  return toChecksumAddress(evmAccountFromPublicKey(publicKey));
}

function validateEvm(address: string): AddressValidation {
  if (!/^0x[0-9a-fA-F]{40}$/u.test(address)) {
    return refuse('expected 0x followed by 40 hexadecimal characters');
  }
  const body = address.slice(2);
  const account = hex.decode(body.toLowerCase());
  const checksummed = toChecksumAddress(account);
  const singleCase = body === body.toLowerCase() || body === body.toUpperCase();
  if (!singleCase && checksummed !== address) return refuse('EIP-55 checksum mismatch');
  if (isAllZero(account)) return refuse('zero address (funds sent there are burned)');
  return ok(checksummed);
}

// ---------------------------------------------------------------- TRON

function tronChecksum(payload: Uint8Array): Uint8Array {
  return sha256(sha256(payload)).slice(0, 4);
}

/** base58check of 0x41 || 20-byte account. */
export function encodeTronAddress(account: Uint8Array): string {
  if (account.length !== 20) throw new RangeError('a TRON account is 20 bytes');
  const payload = new Uint8Array(21);
  payload[0] = TRON_PREFIX;
  payload.set(account, 1);
  const full = new Uint8Array(25);
  full.set(payload);
  full.set(tronChecksum(payload), 21);
  return base58.encode(full);
}

/** The 21-byte 0x41-prefixed form of a valid `T…` address; throws on an invalid one. */
export function decodeTronAddress(address: string): Uint8Array {
  const result = validateTron(address);
  if (!result.valid) throw new Error(`invalid TRON address: ${result.reason}`);
  return base58.decode(address).slice(0, 21);
}

export function tronAddressFromPublicKey(publicKey: Uint8Array): string {
  return encodeTronAddress(evmAccountFromPublicKey(publicKey));
}

function validateTron(address: string): AddressValidation {
  if (/^(0x)?41[0-9a-fA-F]{40}$/u.test(address)) {
    return refuse('hex form carries no checksum; use the base58check T… form');
  }
  if (!/^[1-9A-HJ-NP-Za-km-z]+$/u.test(address)) return refuse('not base58');
  const bytes = base58.decode(address);
  if (bytes.length !== 25) return refuse('wrong length: base58check payload must be 25 bytes');
  const payload = bytes.subarray(0, 21);
  if (!equalBytes(tronChecksum(payload), bytes.subarray(21))) return refuse('base58check checksum mismatch');
  if (payload[0] !== TRON_PREFIX) return refuse('wrong version byte: TRON mainnet addresses start with 0x41 (T…)');
  if (isAllZero(payload.subarray(1))) return refuse('zero address (funds sent there are burned)');
  return ok(address);
}

// ---------------------------------------------------------------- TON

/** CRC-16/XMODEM (poly 0x1021, init 0), as used by TON user-friendly addresses. */
export function crc16Xmodem(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

export interface TonAddressParts {
  workchain: number;
  /** 32-byte account id. */
  hash: Uint8Array;
}

export interface TonAddressFlags {
  bounceable: boolean;
  testnet: boolean;
}

/** 36 bytes (tag, workchain, hash, CRC16) as 48 characters of url-safe base64. */
export function encodeTonAddress(
  { workchain, hash }: TonAddressParts,
  { bounceable, testnet }: TonAddressFlags = { bounceable: false, testnet: false },
): string {
  if (hash.length !== 32) throw new RangeError('a TON account id is 32 bytes');
  if (workchain !== 0 && workchain !== -1) throw new RangeError('workchain must be 0 or -1');
  const bytes = new Uint8Array(36);
  bytes[0] = (bounceable ? TON_TAG_BOUNCEABLE : TON_TAG_NON_BOUNCEABLE) | (testnet ? TON_TAG_TESTNET : 0);
  bytes[1] = workchain & 0xff;
  bytes.set(hash, 2);
  const crc = crc16Xmodem(bytes.subarray(0, 34));
  bytes[34] = crc >> 8;
  bytes[35] = crc & 0xff;
  return base64url.encode(bytes);
}

/** `0:<64 hex>` raw form. */
export function tonRawAddress({ workchain, hash }: TonAddressParts): string {
  return `${workchain}:${hex.encode(hash)}`;
}

/** Parts and flags of a valid TON address (user-friendly or raw); throws on an invalid one. */
export function decodeTonAddress(address: string): TonAddressParts & TonAddressFlags {
  const parsed = parseTon(address);
  if ('reason' in parsed) throw new Error(`invalid TON address: ${parsed.reason}`);
  return parsed;
}

type TonParse = (TonAddressParts & TonAddressFlags) | { reason: string };

function parseTon(address: string): TonParse {
  const raw = /^(-?\d{1,3}):([0-9a-fA-F]{64})$/u.exec(address);
  if (raw) {
    const workchain = Number(raw[1]);
    if (workchain !== 0 && workchain !== -1) return { reason: `unsupported workchain ${raw[1]}` };
    // The raw form carries no flags; it says nothing about bounce or network.
    return { workchain, hash: hex.decode(raw[2]!.toLowerCase()), bounceable: false, testnet: false };
  }
  if (address.length !== 48) return { reason: 'wrong length: user-friendly TON addresses are 48 characters' };
  const urlSafe = /^[A-Za-z0-9_-]{48}$/u.test(address);
  const standard = /^[A-Za-z0-9+/]{48}$/u.test(address);
  if (!urlSafe && !standard) return { reason: 'not base64 (or mixes url-safe and standard alphabets)' };
  const bytes = (urlSafe ? base64url : base64).decode(address);
  const crc = crc16Xmodem(bytes.subarray(0, 34));
  if (bytes[34] !== crc >> 8 || bytes[35] !== (crc & 0xff)) return { reason: 'CRC16 checksum mismatch' };
  const tag = bytes[0]!;
  const testnet = (tag & TON_TAG_TESTNET) !== 0;
  const flag = tag & ~TON_TAG_TESTNET;
  if (flag !== TON_TAG_BOUNCEABLE && flag !== TON_TAG_NON_BOUNCEABLE) {
    return { reason: `unknown address tag 0x${tag.toString(16)}` };
  }
  const workchainByte = bytes[1]!;
  const workchain = workchainByte === 0xff ? -1 : workchainByte;
  if (workchain !== 0 && workchain !== -1) return { reason: `unsupported workchain ${workchainByte}` };
  return { workchain, hash: bytes.slice(2, 34), bounceable: flag === TON_TAG_BOUNCEABLE, testnet };
}

function validateTon(address: string): AddressValidation {
  const parsed = parseTon(address);
  if ('reason' in parsed) return refuse(parsed.reason);
  if (parsed.testnet) return refuse('testnet-only address (testnet flag set)');
  if (isAllZero(parsed.hash)) return refuse('zero account id');
  return ok(encodeTonAddress(parsed, { bounceable: false, testnet: false }));
}

// ---------------------------------------------------------------- entry point

/**
 * Checks an address a user typed for `network`: form, checksum and flags. Never throws for
 * bad input; `normalized` is the one form the platform stores and compares.
 */
export function validateAddress(network: Network, address: string): AddressValidation {
  if (typeof address !== 'string' || address.length === 0) return refuse('empty address');
  if (address.length > 128) return refuse('wrong length: too long');
  if (/\s/u.test(address)) return refuse('contains whitespace');
  switch (network) {
    case 'ETH':
    case 'BSC':
      return validateEvm(address);
    case 'TRON':
      return validateTron(address);
    case 'TON':
      return validateTon(address);
    default:
      return refuse(`unknown network ${String(network)}`);
  }
}
