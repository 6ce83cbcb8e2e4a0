import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { hex } from '@scure/base';
import { decodeTronAddress, encodeTronAddress } from '../../chains/address.js';
import type { RawData } from './tron-raw-data.js';

/**
 * The in-memory TRON chain's state and records: accounts (TRX, creation time), TRC20 balances, transactions and
 * blocks as data, fees, the refusal a node answers with, and 41… hex address and key helpers. See tron-chain.ts.
 */

export interface TronToken {
  /** 41… hex. */
  hex: string;
  /** base58 T… */
  address: string;
  symbol: string;
  name: string;
  decimals: number;
}

export type ContractRet = 'SUCCESS' | 'REVERT' | 'OUT_OF_ENERGY';

export interface Trc20Effect {
  token: string;
  from: string;
  to: string;
  value: bigint;
}

export interface ChainTx {
  txID: string;
  raw: RawData;
  rawHex: string;
  signatures: string[];
  contractRet: ContractRet;
  /** Everything burned: bandwidth/account creation + energy. */
  fee: bigint;
  netFee: bigint;
  energyFee: bigint;
  energyUsage: bigint;
  trc20: Trc20Effect | null;
  resMessage: string | null;
}

export interface ChainBlock {
  number: number;
  blockID: string;
  parentHash: string;
  timestamp: number;
  witness: string;
  txTrieRoot: string;
  txs: ChainTx[];
}

export type SubmitOutcome =
  { kind: 'accepted'; txid: string; tx: ChainTx } | { kind: 'refused'; code: string; message: string; txid: string };

export interface State {
  /** Existing accounts and their TRX (sun); absent = the account does not exist. */
  trx: Map<string, bigint>;
  created: Map<string, number>;
  /** token hex → owner hex → balance. */
  tokens: Map<string, Map<string, bigint>>;
}

export interface TronFees {
  /** Burned when TRX is sent to an account that does not exist yet (java-tron: 1 TRX). */
  newAccountSun: bigint;
  /** Energy burned by a TRC20 transfer (paid in TRX by the sender, capped by fee_limit). */
  trc20Sun: bigint;
}

export const DEFAULT_TRON_FEES: TronFees = { newAccountSun: 1_000_000n, trc20Sun: 13_500_000n };

export interface TronChainOptions {
  /** Height of the genesis block. Default 70,000,000 (so block ids look like mainnet's). */
  startHeight?: number;
  /** Confirmations after which a block counts as solidified. Default 19. */
  solidifyDepth?: number;
  /** Deepest reorg supported (state snapshots kept). Default 256. */
  maxReorgDepth?: number;
  fees?: Partial<TronFees>;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

export const enc = (bytes: Uint8Array): string => hex.encode(bytes);

export function tronHexOf(address: string): string {
  return enc(decodeTronAddress(address));
}

export function tronBase58Of(hex41: string): string {
  return encodeTronAddress(hex.decode(hex41.slice(2)));
}

/** The signer of a 65-byte r‖s‖v signature over `digest` (v = 27/28 or 0/1), as 41… hex; null if invalid. */
export function recoverSigner(digest: Uint8Array, signatureHex: string): string | null {
  if (!/^[0-9a-f]{130}$/u.test(signatureHex)) return null;
  const bytes = hex.decode(signatureHex);
  const v = bytes[64]!;
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) return null;
  try {
    const sig = secp256k1.Signature.fromBytes(bytes.subarray(0, 64), 'compact').addRecoveryBit(recovery);
    const publicKey = sig.recoverPublicKey(digest).toBytes(false);
    return '41' + enc(keccak_256(publicKey.subarray(1)).subarray(12));
  } catch {
    return null;
  }
}

/** The 41… hex address of a secp256k1 private key. */
export function tronHexOfKey(privateKey: Uint8Array): string {
  const publicKey = secp256k1.getPublicKey(privateKey, false);
  return '41' + enc(keccak_256(publicKey.subarray(1)).subarray(12));
}

/** Signs `digest` as TRON wallets do: r‖s‖v with v = 27 + recovery id. */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): string {
  const recovered = secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered', lowS: true });
  const out = new Uint8Array(65);
  out.set(recovered.subarray(1, 65), 0);
  out[64] = 27 + recovered[0]!;
  return enc(out);
}

export function cloneState(state: State): State {
  return {
    trx: new Map(state.trx),
    created: new Map(state.created),
    tokens: new Map([...state.tokens].map(([token, holders]) => [token, new Map(holders)])),
  };
}

/** A transaction a node refuses at broadcast, with java-tron's code (never enters a block). */
export class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
