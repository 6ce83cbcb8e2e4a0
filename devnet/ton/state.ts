import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Address, beginCell, type Cell } from '@ton/core';
import { BOUNCED_PREFIX } from '../../providers/toncenter/jetton.js';

/**
 * The in-memory TON chain's state and records: accounts, messages, transactions, masterchain blocks, fees, and
 * `TonExecution`, what contract emulation (wallet-v4r2.ts, jettons.ts) runs against. See ton-chain.ts.
 */

export type Raw = string; // "0:…" lower-case hex, as Address.toRawString() prints it

export interface TonFees {
  /** Compute fee of a wallet transaction (external message). */
  walletGas: bigint;
  /** Forwarding fee per internal message. */
  forward: bigint;
  /** Compute fee of each jetton-wallet transaction. */
  jettonGas: bigint;
}

export const DEFAULT_TON_FEES: TonFees = { walletGas: 2_000_000n, forward: 400_000n, jettonGas: 8_000_000n };

export type AccountKind =
  | { type: 'wallet'; publicKey: string; seqno: number; subwalletId: number }
  /** `claims`: the master its wallets report in get_wallet_data (itself, or the one a fake impersonates). */
  | { type: 'jetton-master'; symbol: string; decimals: number; totalSupply: bigint; genuine: boolean; claims: Raw }
  /** `claims` is the master it reports in get_wallet_data (its own, unless it impersonates). */
  | { type: 'jetton-wallet'; master: Raw; claims: Raw; owner: Raw; balance: bigint }
  | { type: 'faucet' }
  | { type: 'none' };

export interface AccountState {
  balance: bigint;
  status: 'uninit' | 'active';
  kind: AccountKind;
  lastLt: bigint;
  lastHash: string;
}

export interface State {
  accounts: Map<Raw, AccountState>;
}
export interface SimMessage {
  hash: string;
  source: Raw | null;
  destination: Raw | null;
  value: bigint | null;
  fwdFee: bigint | null;
  createdLt: bigint | null;
  createdAt: number | null;
  bounce: boolean | null;
  bounced: boolean | null;
  body: Cell;
  opcode: number | null;
  comment: string | null;
  /** The StateInit the message carries (deploys the destination), as a cell. */
  init: Cell | null;
  /** The StateInit a jetton wallet attaches to internal_transfer (deploys the destination wallet): its data. */
  jettonInit: { master: Raw; owner: Raw } | null;
}

export interface JettonTransferRecord {
  queryId: bigint;
  source: Raw;
  destination: Raw;
  amount: bigint;
  sourceWallet: Raw;
  /** The master the source wallet claims (what an indexer reports). */
  jettonMaster: Raw;
  responseDestination: Raw | null;
  forwardTonAmount: bigint;
  forwardPayload: Cell | null;
}

export interface SimTx {
  account: Raw;
  hash: string;
  lt: bigint;
  now: number;
  mcSeqno: number;
  shardSeqno: number;
  traceId: string;
  prevHash: string;
  prevLt: bigint;
  origStatus: 'nonexist' | 'uninit' | 'active';
  endStatus: 'nonexist' | 'uninit' | 'active';
  totalFees: bigint;
  aborted: boolean;
  computeSkipped: boolean;
  computeSuccess: boolean;
  exitCode: number;
  actionSuccess: boolean | null;
  inMsg: SimMessage;
  outMsgs: SimMessage[];
  jettonTransfer: JettonTransferRecord | null;
}

export interface McBlock {
  seqno: number;
  rootHash: string;
  fileHash: string;
  shardSeqno: number;
  shardRootHash: string;
  shardFileHash: string;
  genUtime: number;
  startLt: bigint;
  endLt: bigint;
  txs: SimTx[];
  inputs: TraceInput[];
}

export type TraceInput =
  | { kind: 'external'; boc: string }
  | {
      kind: 'faucet';
      to: Raw;
      amount: bigint;
      jettonMaster: Raw | null;
      forwardTonAmount: bigint;
      comment: string | null;
      body: Cell | null;
    };

/** A refused external message (never enters a block), with the exit code the contract threw. */
export class ExternalRejectedError extends Error {
  constructor(
    readonly exitCode: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'ExternalRejectedError';
  }
}

export interface TonChainOptions {
  /** First masterchain seqno. Default 40,000,000. */
  startSeqno?: number;
  fees?: Partial<TonFees>;
  /** Unix seconds; default the wall clock. */
  now?: () => number;
  maxReorgDepth?: number;
}

/** An internal message a contract sends (the chain turns it into a `SimMessage`). */
export interface Outgoing {
  to: Raw;
  value: bigint;
  bounce: boolean;
  body: Cell;
  bounced?: boolean;
  jettonInit?: { master: Raw; owner: Raw };
}

/**
 * What contract code runs against: the accounts, fees and clock, and the trace primitives of the chain (message
 * and transaction records with logical times, delivery of internal messages). `TonChain` provides it.
 */
export interface TonExecution {
  readonly fees: TonFees;
  readonly accounts: Map<Raw, AccountState>;
  now(): number;
  /** The account at `raw`, created (uninit, empty) with `kind` when missing. */
  ensure(raw: Raw, kind: AccountKind): AccountState;
  tx(
    account: Raw,
    state: AccountState | null,
    inMsg: SimMessage,
    traceId: string | null,
    fields: Partial<SimTx>,
  ): SimTx;
  internal(from: Raw, out: Outgoing): SimMessage;
  external(cell: Cell, to: Raw, body: Cell, init: Cell | null): SimMessage;
  finish(tx: SimTx, account: AccountState | null): void;
  /** Delivers messages and everything they cause, in order. */
  deliverAll(messages: SimMessage[], traceId: string): SimTx[];
}

const enc = (bytes: Uint8Array): string => hex.encode(bytes);
export const digest = (text: string): string => enc(sha256(new TextEncoder().encode(text)));
export const addr = (raw: Raw): Address => Address.parseRaw(raw);

export function opcodeOf(body: Cell): number | null {
  const s = body.beginParse();
  return s.remainingBits >= 32 ? s.loadUint(32) : null;
}

export function cloneState(state: State): State {
  return structuredClone(state);
}

/** The body a bounced message carries: 0xffffffff and the first 256 bits of the original body. */
export function bounceBody(original: Cell): Cell {
  const s = original.beginParse();
  const bits = Math.min(256, s.remainingBits);
  return beginCell().storeUint(BOUNCED_PREFIX, 32).storeBits(s.loadBits(bits)).endCell();
}
