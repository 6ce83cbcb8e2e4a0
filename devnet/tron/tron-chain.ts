import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { TronBlocks } from './blocks.js';
import { executeTransfer, executeTrc20Call, type ContractContext } from './contracts.js';
import { encodeRawData, type RawData } from './tron-raw-data.js';
import {
  DEFAULT_TRON_FEES,
  Refusal,
  enc,
  recoverSigner,
  tronHexOf,
  type ChainBlock,
  type ChainTx,
  type State,
  type SubmitOutcome,
  type TronChainOptions,
  type TronFees,
  type TronToken,
} from './state.js';
export { TRC20_TRANSFER_TOPIC } from '../../providers/trongrid/trc20.js';

/**
 * An in-memory TRON chain for the TronGrid simulator: accounts with TRX, TRC20 token contracts, a mempool,
 * blocks, TAPOS/expiration/signature checks as java-tron does them, and reorgs. Addresses inside are 21-byte hex
 * (`41…`, lower case); the HTTP layer renders them.
 *
 * One job per module: state.ts (accounts, records, keys and addresses), contracts.ts (TRX and TRC20 execution),
 * blocks.ts (sealing, snapshots, TAPOS lookup, reorg depth), this file (setup, broadcast validation, mempool,
 * mining, reorg replay), trongrid.simulator.ts (the HTTP routes).
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export class TronChain {
  readonly startHeight: number;
  readonly solidifyDepth: number;
  readonly fees: TronFees;
  readonly #now: () => number;
  readonly #blocks: TronBlocks;
  readonly #tokens = new Map<string, TronToken>();
  readonly #contracts: ContractContext;
  #state: State = { trx: new Map(), created: new Map(), tokens: new Map() };
  #pending: ChainTx[] = [];
  #known = new Set<string>();
  #generation = 0;

  constructor(options: TronChainOptions = {}) {
    this.startHeight = options.startHeight ?? 70_000_000;
    this.solidifyDepth = options.solidifyDepth ?? 19;
    this.fees = { ...DEFAULT_TRON_FEES, ...options.fees };
    this.#now = options.now ?? Date.now;
    this.#contracts = { fees: this.fees, tokens: this.#tokens, now: () => this.#now() };
    const witness = '41' + enc(sha256(new TextEncoder().encode('tron-simulator witness')).subarray(0, 20));
    if (!Number.isSafeInteger(this.startHeight) || this.startHeight < 1)
      throw new RangeError('startHeight must be a positive integer');
    this.#blocks = new TronBlocks(this.startHeight, options.maxReorgDepth ?? 256, witness);
    this.#blocks.seal([], this.startHeight, '0'.repeat(64), this.#now(), this.#generation, this.#state);
  }

  // ------------------------------------------------------------------ reads

  get head(): ChainBlock {
    return this.#blocks.head;
  }

  get solidifiedHead(): ChainBlock {
    return this.blockByNumber(Math.max(this.startHeight, this.head.number - this.solidifyDepth))!;
  }

  get blocks(): readonly ChainBlock[] {
    return this.#blocks.all;
  }

  get pending(): readonly ChainTx[] {
    return this.#pending;
  }

  blockByNumber(num: number): ChainBlock | null {
    return this.#blocks.at(num);
  }

  /** The block holding a transaction and the transaction, or null (pending or unknown). */
  findTransaction(txID: string): { block: ChainBlock; tx: ChainTx } | null {
    const blocks = this.#blocks.all;
    for (let i = blocks.length - 1; i >= 0; i--) {
      const block = blocks[i]!;
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
    this.#blocks.snapshotHead(this.#state);
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

  #execute(
    raw: RawData,
    rawBytes: Uint8Array,
    txid: string,
    signatures: string[],
    claimedTxId: string | null,
    state: State,
  ): ChainTx {
    if (this.#known.has(txid)) throw new Refusal('DUP_TRANSACTION_ERROR', 'Dup transaction.');
    if (claimedTxId !== null && claimedTxId.toLowerCase() !== txid) {
      // java-tron ignores the txID field and verifies against its own hash; refusing a mismatch makes a signer bug loud.
      throw new Refusal('SIGERROR', `txID ${claimedTxId} does not match sha256(raw_data) ${txid}`);
    }
    this.#checkTapos(raw);
    const head = this.head;
    if (raw.expiration <= BigInt(head.timestamp)) {
      throw new Refusal(
        'TRANSACTION_EXPIRATION_ERROR',
        `Transaction expired: expiration ${raw.expiration} <= head block time ${head.timestamp}`,
      );
    }
    if (raw.expiration > BigInt(head.timestamp + DAY_MS)) {
      throw new Refusal(
        'TRANSACTION_EXPIRATION_ERROR',
        'Transaction expiration time is more than one day after the head block',
      );
    }
    const c = raw.contract;
    const owner = enc(c.owner);
    if (signatures.length !== 1)
      throw new Refusal(
        'SIGERROR',
        `expected 1 signature for an owner permission of threshold 1, got ${signatures.length}`,
      );
    const signer = recoverSigner(hex.decode(txid), signatures[0]!.toLowerCase());
    if (signer !== owner)
      throw new Refusal('SIGERROR', 'Validate signature error: signature does not recover to owner_address');
    if (c.permissionId !== 0)
      throw new Refusal('SIGERROR', `permission id ${c.permissionId} is not configured for this account`);
    if (raw.data.length > 0)
      throw new Refusal('CONTRACT_VALIDATE_ERROR', 'memo data is not supported by the simulator');
    const ownerBalance = state.trx.get(owner);
    if (ownerBalance === undefined)
      throw new Refusal('CONTRACT_VALIDATE_ERROR', `Validate ${c.type} error, no OwnerAccount.`);

    if (c.type === 'TransferContract')
      return executeTransfer(this.#contracts, raw, rawBytes, txid, signatures, c, owner, ownerBalance, state);
    return executeTrc20Call(this.#contracts, raw, rawBytes, txid, signatures, c, owner, ownerBalance, state);
  }

  #checkTapos(raw: RawData): void {
    const refBytes = enc(raw.refBlockBytes);
    const refHash = enc(raw.refBlockHash);
    if (refBytes.length !== 4 || refHash.length !== 16)
      throw new Refusal('TAPOS_ERROR', 'Tapos check error: malformed reference block');
    if (!this.#blocks.hasReference(refBytes, refHash))
      throw new Refusal(
        'TAPOS_ERROR',
        `Tapos check error: reference block ${refBytes}/${refHash} is not on this chain`,
      );
  }

  // ------------------------------------------------------------------ blocks

  /** Seals the mempool into a new block. */
  mine(): ChainBlock {
    const head = this.head;
    const txs = this.#pending;
    this.#pending = [];
    return this.#blocks.seal(
      txs,
      head.number + 1,
      head.blockID,
      Math.max(this.#now(), head.timestamp + 1),
      this.#generation,
      this.#state,
    );
  }

  /**
   * Replaces the last `depth` blocks with as many different ones (new ids). Their transactions are dropped
   * unless `reinclude`, in which case the still-valid ones go into the first replacement block, as a real reorg
   * usually does. The mempool is re-validated against the rolled-back state.
   */
  reorg(depth: number, options: { reinclude?: boolean } = {}): { removed: ChainBlock[]; added: ChainBlock[] } {
    const { removed, state } = this.#blocks.cut(depth);
    this.#state = state;
    this.#generation += 1;
    this.#known = new Set(this.#blocks.all.flatMap((b) => b.txs.map((t) => t.txID)));
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
