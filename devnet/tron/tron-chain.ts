import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { decodeTronAddress, encodeTronAddress } from '../../chains/address.js';
import { encodeRawData, type RawContract, type RawData } from './tron-raw-data.js';
export { TRC20_TRANSFER_TOPIC } from '../../providers/trongrid/trc20.js';

/**
 * An in-memory TRON chain for the TronGrid simulator: accounts with TRX, TRC20 token contracts, a mempool,
 * blocks, TAPOS/expiration/signature checks as java-tron does them, and reorgs. Addresses inside are 21-byte hex
 * (`41…`, lower case); the HTTP layer renders them.
 */

const TRANSFER_SELECTOR = 'a9059cbb';
const DAY_MS = 24 * 60 * 60 * 1000;
/** java-tron accepts reference blocks among the last 65,536. */
const TAPOS_WINDOW = 65_536;

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
  | { kind: 'accepted'; txid: string; tx: ChainTx }
  | { kind: 'refused'; code: string; message: string; txid: string };

interface State {
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

const enc = (bytes: Uint8Array): string => hex.encode(bytes);

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

function cloneState(state: State): State {
  return {
    trx: new Map(state.trx),
    created: new Map(state.created),
    tokens: new Map([...state.tokens].map(([token, holders]) => [token, new Map(holders)])),
  };
}

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class TronChain {
  readonly startHeight: number;
  readonly solidifyDepth: number;
  readonly fees: TronFees;
  readonly #maxReorgDepth: number;
  readonly #now: () => number;
  readonly #blocks: ChainBlock[] = [];
  readonly #tokens = new Map<string, TronToken>();
  readonly #snapshots = new Map<number, State>();
  #state: State = { trx: new Map(), created: new Map(), tokens: new Map() };
  #pending: ChainTx[] = [];
  #known = new Set<string>();
  #generation = 0;
  readonly #witness: string;

  constructor(options: TronChainOptions = {}) {
    this.startHeight = options.startHeight ?? 70_000_000;
    this.solidifyDepth = options.solidifyDepth ?? 19;
    this.#maxReorgDepth = options.maxReorgDepth ?? 256;
    this.fees = { ...DEFAULT_TRON_FEES, ...options.fees };
    this.#now = options.now ?? Date.now;
    this.#witness = '41' + enc(sha256(new TextEncoder().encode('tron-simulator witness')).subarray(0, 20));
    if (!Number.isSafeInteger(this.startHeight) || this.startHeight < 1) throw new RangeError('startHeight must be a positive integer');
    this.#seal([], this.startHeight, '0'.repeat(64), this.#now());
  }

  // ------------------------------------------------------------------ reads

  get head(): ChainBlock {
    return this.#blocks[this.#blocks.length - 1]!;
  }

  get solidifiedHead(): ChainBlock {
    return this.blockByNumber(Math.max(this.startHeight, this.head.number - this.solidifyDepth))!;
  }

  get blocks(): readonly ChainBlock[] {
    return this.#blocks;
  }

  get pending(): readonly ChainTx[] {
    return this.#pending;
  }

  blockByNumber(num: number): ChainBlock | null {
    return this.#blocks[num - this.startHeight] ?? null;
  }

  /** The block holding a transaction and the transaction, or null (pending or unknown). */
  findTransaction(txID: string): { block: ChainBlock; tx: ChainTx } | null {
    for (let i = this.#blocks.length - 1; i >= 0; i--) {
      const block = this.#blocks[i]!;
      const tx = block.txs.find((t) => t.txID === txID);
      if (tx) return { block, tx };
    }
    return null;
  }

  accountExists(hex41: string): boolean {
    return this.#state.trx.has(hex41);
  }

  account(hex41: string): { balance: bigint; createTime: number } | null {
    const balance = this.#state.trx.get(hex41);
    return balance === undefined ? null : { balance, createTime: this.#state.created.get(hex41) ?? 0 };
  }

  token(hex41: string): TronToken | null {
    return this.#tokens.get(hex41) ?? null;
  }

  get tokens(): readonly TronToken[] {
    return [...this.#tokens.values()];
  }

  tokenBalance(tokenHex: string, ownerHex: string): bigint {
    return this.#state.tokens.get(tokenHex)?.get(ownerHex) ?? 0n;
  }

  // ------------------------------------------------------------------ genesis-style setup

  /** Registers a TRC20 contract (e.g. USDT at its mainnet address, or a look-alike for tests). */
  addToken(token: Omit<TronToken, 'hex'>): TronToken {
    const full = { ...token, hex: tronHexOf(token.address) };
    if (this.#tokens.has(full.hex)) throw new Error(`token ${token.address} already exists`);
    this.#tokens.set(full.hex, full);
    this.#state.tokens.set(full.hex, new Map());
    return full;
  }

  /** Sets balances out of thin air (genesis allocations of the faucet). */
  allocate(ownerHex: string, trx: bigint, tokens: Array<{ token: string; amount: bigint }> = []): void {
    this.#state.trx.set(ownerHex, (this.#state.trx.get(ownerHex) ?? 0n) + trx);
    if (!this.#state.created.has(ownerHex)) this.#state.created.set(ownerHex, this.head.timestamp);
    for (const { token, amount } of tokens) {
      const holders = this.#state.tokens.get(token);
      if (!holders) throw new Error(`unknown token ${token}`);
      holders.set(ownerHex, (holders.get(ownerHex) ?? 0n) + amount);
    }
    this.#snapshots.set(this.head.number, cloneState(this.#state));
  }

  // ------------------------------------------------------------------ transactions

  /**
   * Validates and executes a signed transaction against the current state (mempool included), as a node does at
   * broadcast. Refusals carry java-tron's codes. Accepted transactions go into the next block.
   */
  submit(raw: RawData, signatures: string[], claimedTxId: string | null): SubmitOutcome {
    const rawBytes = encodeRawData(raw);
    const txid = enc(sha256(rawBytes));
    try {
      const tx = this.#execute(raw, rawBytes, txid, signatures, claimedTxId, this.#state);
      this.#pending.push(tx);
      this.#known.add(txid);
      return { kind: 'accepted', txid, tx };
    } catch (error) {
      if (error instanceof Refusal) return { kind: 'refused', code: error.code, message: error.message, txid };
      throw error;
    }
  }

  #execute(raw: RawData, rawBytes: Uint8Array, txid: string, signatures: string[], claimedTxId: string | null, state: State): ChainTx {
    if (this.#known.has(txid)) throw new Refusal('DUP_TRANSACTION_ERROR', 'Dup transaction.');
    if (claimedTxId !== null && claimedTxId.toLowerCase() !== txid) {
      // java-tron ignores the txID field and verifies against its own hash; refusing a mismatch makes a signer bug loud.
      throw new Refusal('SIGERROR', `txID ${claimedTxId} does not match sha256(raw_data) ${txid}`);
    }
    this.#checkTapos(raw);
    const head = this.head;
    if (raw.expiration <= BigInt(head.timestamp)) {
      throw new Refusal('TRANSACTION_EXPIRATION_ERROR', `Transaction expired: expiration ${raw.expiration} <= head block time ${head.timestamp}`);
    }
    if (raw.expiration > BigInt(head.timestamp + DAY_MS)) {
      throw new Refusal('TRANSACTION_EXPIRATION_ERROR', 'Transaction expiration time is more than one day after the head block');
    }
    const c = raw.contract;
    const owner = enc(c.owner);
    if (signatures.length !== 1) throw new Refusal('SIGERROR', `expected 1 signature for an owner permission of threshold 1, got ${signatures.length}`);
    const signer = recoverSigner(hex.decode(txid), signatures[0]!.toLowerCase());
    if (signer !== owner) throw new Refusal('SIGERROR', 'Validate signature error: signature does not recover to owner_address');
    if (c.permissionId !== 0) throw new Refusal('SIGERROR', `permission id ${c.permissionId} is not configured for this account`);
    if (raw.data.length > 0) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'memo data is not supported by the simulator');
    const ownerBalance = state.trx.get(owner);
    if (ownerBalance === undefined) throw new Refusal('CONTRACT_VALIDATE_ERROR', `Validate ${c.type} error, no OwnerAccount.`);

    if (c.type === 'TransferContract') return this.#transfer(raw, rawBytes, txid, signatures, c, owner, ownerBalance, state);
    return this.#trigger(raw, rawBytes, txid, signatures, c, owner, ownerBalance, state);
  }

  #checkTapos(raw: RawData): void {
    const refBytes = enc(raw.refBlockBytes);
    const refHash = enc(raw.refBlockHash);
    if (refBytes.length !== 4 || refHash.length !== 16) throw new Refusal('TAPOS_ERROR', 'Tapos check error: malformed reference block');
    const low = parseInt(refBytes, 16);
    const oldest = Math.max(0, this.#blocks.length - TAPOS_WINDOW);
    for (let i = this.#blocks.length - 1; i >= oldest; i--) {
      const block = this.#blocks[i]!;
      if ((block.number & 0xffff) === low && block.blockID.slice(16, 32) === refHash) return;
    }
    throw new Refusal('TAPOS_ERROR', `Tapos check error: reference block ${refBytes}/${refHash} is not on this chain`);
  }

  #base(raw: RawData, rawBytes: Uint8Array, txid: string, signatures: string[]): Omit<ChainTx, 'contractRet' | 'fee' | 'netFee' | 'energyFee' | 'energyUsage' | 'trc20' | 'resMessage'> {
    return { txID: txid, raw, rawHex: enc(rawBytes), signatures: signatures.map((s) => s.toLowerCase()) };
  }

  #transfer(
    raw: RawData,
    rawBytes: Uint8Array,
    txid: string,
    signatures: string[],
    c: Extract<RawContract, { type: 'TransferContract' }>,
    owner: string,
    ownerBalance: bigint,
    state: State,
  ): ChainTx {
    const to = enc(c.to);
    if (c.to.length !== 21 || c.to[0] !== 0x41) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'Invalid toAddress!');
    if (to === owner) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'Cannot transfer TRX to yourself.');
    if (c.amount <= 0n) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'Amount must be greater than 0.');
    const creates = !state.trx.has(to);
    const fee = creates ? this.fees.newAccountSun : 0n;
    if (ownerBalance < c.amount + fee) {
      throw new Refusal('CONTRACT_VALIDATE_ERROR', `Validate TransferContract error, balance is not sufficient.`);
    }
    state.trx.set(owner, ownerBalance - c.amount - fee);
    state.trx.set(to, (state.trx.get(to) ?? 0n) + c.amount);
    if (creates) state.created.set(to, this.#now());
    return { ...this.#base(raw, rawBytes, txid, signatures), contractRet: 'SUCCESS', fee, netFee: fee, energyFee: 0n, energyUsage: 0n, trc20: null, resMessage: null };
  }

  #trigger(
    raw: RawData,
    rawBytes: Uint8Array,
    txid: string,
    signatures: string[],
    c: Extract<RawContract, { type: 'TriggerSmartContract' }>,
    owner: string,
    ownerBalance: bigint,
    state: State,
  ): ChainTx {
    const tokenHex = enc(c.contract);
    const token = this.#tokens.get(tokenHex);
    if (!token) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'No contract or not a smart contract');
    if (c.callTokenValue !== 0n || c.tokenId !== 0n) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'TRC10 call values are not supported by the simulator');
    if (c.callValue > ownerBalance) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'Validate TriggerSmartContract error, balance is not sufficient.');
    if (raw.feeLimit <= 0n) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'feeLimit must be > 0');
    const base = this.#base(raw, rawBytes, txid, signatures);
    const energyUsage = this.fees.trc20Sun / 100n; // at 100 sun per energy unit
    // Energy is paid from TRX up to fee_limit; running out is an on-chain failure, not a refusal.
    const affordable = ownerBalance < raw.feeLimit ? ownerBalance : raw.feeLimit;
    if (affordable < this.fees.trc20Sun) {
      state.trx.set(owner, ownerBalance - affordable);
      return { ...base, contractRet: 'OUT_OF_ENERGY', fee: affordable, netFee: 0n, energyFee: affordable, energyUsage: affordable / 100n, trc20: null, resMessage: 'Not enough energy' };
    }
    const fee = this.fees.trc20Sun;
    state.trx.set(owner, ownerBalance - fee);
    const revert = (reason: string): ChainTx => ({ ...base, contractRet: 'REVERT', fee, netFee: 0n, energyFee: fee, energyUsage, trc20: null, resMessage: reason });
    const data = enc(c.data);
    if (c.callValue !== 0n) return revert('REVERT opcode executed: transfer is not payable');
    if (data.length !== 8 + 128 || !data.startsWith(TRANSFER_SELECTOR)) return revert('REVERT opcode executed: unknown function');
    const toWord = data.slice(8, 72);
    if (!toWord.startsWith('0'.repeat(24))) return revert('REVERT opcode executed: bad address argument');
    const to = '41' + toWord.slice(24);
    const value = BigInt('0x' + data.slice(72));
    const holders = state.tokens.get(tokenHex)!;
    const fromBalance = holders.get(owner) ?? 0n;
    if (fromBalance < value) return revert('REVERT opcode executed: transfer amount exceeds balance');
    holders.set(owner, fromBalance - value);
    holders.set(to, (holders.get(to) ?? 0n) + value);
    return { ...base, contractRet: 'SUCCESS', fee, netFee: 0n, energyFee: fee, energyUsage, trc20: { token: tokenHex, from: owner, to, value }, resMessage: null };
  }

  // ------------------------------------------------------------------ blocks

  #seal(txs: ChainTx[], number: number, parentHash: string, timestamp: number): ChainBlock {
    const txTrieRoot = enc(sha256(new TextEncoder().encode(txs.map((t) => t.txID).join(''))));
    const header = JSON.stringify({ number, parentHash, timestamp, txTrieRoot, witness: this.#witness, generation: this.#generation });
    const digest = sha256(new TextEncoder().encode(header));
    const blockID = number.toString(16).padStart(16, '0') + enc(digest).slice(16);
    const block: ChainBlock = { number, blockID, parentHash, timestamp, witness: this.#witness, txTrieRoot, txs };
    this.#blocks.push(block);
    this.#snapshots.set(number, cloneState(this.#state));
    this.#snapshots.delete(number - this.#maxReorgDepth - 1);
    return block;
  }

  /** Seals the mempool into a new block. */
  mine(): ChainBlock {
    const head = this.head;
    const txs = this.#pending;
    this.#pending = [];
    return this.#seal(txs, head.number + 1, head.blockID, Math.max(this.#now(), head.timestamp + 1));
  }

  /**
   * Replaces the last `depth` blocks with as many different ones (new ids). Their transactions are dropped
   * unless `reinclude`, in which case the still-valid ones go into the first replacement block, as a real reorg
   * usually does. The mempool is re-validated against the rolled-back state.
   */
  reorg(depth: number, options: { reinclude?: boolean } = {}): { removed: ChainBlock[]; added: ChainBlock[] } {
    if (!Number.isSafeInteger(depth) || depth < 1) throw new RangeError('depth must be a positive integer');
    if (depth > this.#maxReorgDepth || depth >= this.#blocks.length) {
      throw new RangeError(`depth ${depth} exceeds the chain (${this.#blocks.length - 1} blocks above genesis, max ${this.#maxReorgDepth})`);
    }
    const removed = this.#blocks.splice(this.#blocks.length - depth, depth);
    const base = this.head;
    this.#state = cloneState(this.#snapshots.get(base.number)!);
    for (const block of removed) this.#snapshots.delete(block.number);
    this.#generation += 1;
    this.#known = new Set(this.#blocks.flatMap((b) => b.txs.map((t) => t.txID)));
    const replay = [...(options.reinclude ? removed.flatMap((b) => b.txs) : []), ...this.#pending];
    this.#pending = [];
    for (const tx of replay) {
      try {
        const again = this.#execute(tx.raw, hex.decode(tx.rawHex), tx.txID, tx.signatures, null, this.#state);
        this.#pending.push(again);
        this.#known.add(again.txID);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
      }
    }
    const added: ChainBlock[] = [];
    for (let i = 0; i < depth; i++) added.push(this.mine());
    return { removed, added };
  }
}
