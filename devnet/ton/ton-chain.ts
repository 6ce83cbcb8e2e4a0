import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Address, beginCell, Cell, contractAddress, loadMessage, loadMessageRelaxed, storeMessage, storeStateInit, type StateInit } from '@ton/core';
import { walletV4R2StateInit } from '../../chains/ton-wallet.js';
import { BOUNCED_PREFIX, JETTON_OP, commentOf } from '../../providers/toncenter/jetton.js';

/**
 * An in-memory TON chain for the toncenter simulator. It models what deposits and withdrawals touch:
 * - wallet v4R2 accounts: external messages are verified as the contract does (valid_until → exit 36, seqno → 33,
 *   subwallet id → 34, ed25519 signature over the signing-message hash with the key from the account's data or
 *   the message's StateInit → 35), deployed by their first message, send modes 1/2/128;
 * - TEP-74 jettons: masters, jetton wallets (transfer → internal_transfer → transfer_notification + excesses,
 *   with the standard exit codes and bounces), the genuine USDT master from the asset catalogue, and fake masters
 *   whose wallets may even claim the genuine master in get_wallet_data (so only get_wallet_address on the genuine
 *   master tells them apart);
 * - masterchain blocks (one basechain shard block each), logical time, transactions with real message cells
 *   (hashes match @ton/core / the signer), a faucet, and reorgs.
 * Fees are flat (see TonFees); traces complete within one block.
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

export const V4R2_CODE_HASH = walletV4R2StateInit(new Uint8Array(32)).code!.hash().toString('hex');

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

interface State {
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
  | { kind: 'faucet'; to: Raw; amount: bigint; jettonMaster: Raw | null; forwardTonAmount: bigint; comment: string | null; body: Cell | null };

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

const enc = (bytes: Uint8Array): string => hex.encode(bytes);
const digest = (text: string): string => enc(sha256(new TextEncoder().encode(text)));
const addr = (raw: Raw): Address => Address.parseRaw(raw);

export function jettonWalletAddress(master: Raw, owner: Raw): Raw {
  return `0:${digest(`jetton-wallet:${master}:${owner}`)}`;
}

export function jettonWalletCodeHash(master: Raw): string {
  return digest(`jetton-wallet-code:${master}`);
}

/** The StateInit an internal_transfer carries to deploy a jetton wallet: code (stands for the master's wallet code), data (balance 0, owner, master). */
export function jettonWalletStateInit(master: Raw, owner: Raw): Cell {
  const code = beginCell().storeBuffer(Buffer.from(jettonWalletCodeHash(master), 'hex')).endCell();
  const data = beginCell().storeCoins(0).storeAddress(Address.parseRaw(owner)).storeAddress(Address.parseRaw(master)).endCell();
  return beginCell().store(storeStateInit({ code, data })).endCell();
}

/** Wallet v4R2 data: seqno, subwallet id, public key, plugins. */
function parseWalletData(data: Cell): { seqno: number; subwalletId: number; publicKey: string } {
  const s = data.beginParse();
  return { seqno: s.loadUint(32), subwalletId: s.loadUint(32), publicKey: s.loadBuffer(32).toString('hex') };
}

function opcodeOf(body: Cell): number | null {
  const s = body.beginParse();
  return s.remainingBits >= 32 ? s.loadUint(32) : null;
}

function cloneState(state: State): State {
  return structuredClone(state);
}

interface Outgoing {
  to: Raw;
  value: bigint;
  bounce: boolean;
  body: Cell;
  bounced?: boolean;
  jettonInit?: { master: Raw; owner: Raw };
}

export class TonChain {
  readonly fees: TonFees;
  readonly startSeqno: number;
  readonly #now: () => number;
  readonly #maxReorgDepth: number;
  readonly #blocks: McBlock[] = [];
  readonly #snapshots = new Map<number, State>();
  #state: State = { accounts: new Map() };
  #pendingTxs: SimTx[] = [];
  #pendingInputs: TraceInput[] = [];
  #lt = 0n;
  #generation = 0;
  #nonce = 0;
  readonly faucet: Raw;

  constructor(options: TonChainOptions = {}) {
    this.fees = { ...DEFAULT_TON_FEES, ...options.fees };
    this.startSeqno = options.startSeqno ?? 40_000_000;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#maxReorgDepth = options.maxReorgDepth ?? 256;
    this.#lt = BigInt(this.startSeqno) * 1_000_000n;
    this.faucet = `0:${digest('toncenter-simulator faucet')}`;
    this.#seal(this.startSeqno);
  }

  // ------------------------------------------------------------------ reads

  get head(): McBlock {
    return this.#blocks[this.#blocks.length - 1]!;
  }

  get first(): McBlock {
    return this.#blocks[0]!;
  }

  get blocks(): readonly McBlock[] {
    return this.#blocks;
  }

  block(seqno: number): McBlock | null {
    return this.#blocks[seqno - this.startSeqno] ?? null;
  }

  account(raw: Raw): AccountState | null {
    return this.#state.accounts.get(raw) ?? null;
  }

  /** Deployed jetton wallets (raw addresses). */
  jettonWallets(): Raw[] {
    return [...this.#state.accounts].filter(([, a]) => a.kind.type === 'jetton-wallet' && a.status === 'active').map(([raw]) => raw);
  }

  /** Current unix time as the chain sees it. */
  now(): number {
    return Math.max(this.#now(), this.head.genUtime);
  }

  // ------------------------------------------------------------------ setup

  /** Creates a jetton master (genuine, or fake); a fake one's wallets claim `claims` (default: itself). */
  addJettonMaster(master: Raw, info: { symbol: string; decimals: number; genuine: boolean; claims?: Raw }): void {
    if (this.#state.accounts.has(master)) throw new Error(`account ${master} already exists`);
    this.#state.accounts.set(master, {
      balance: 1_000_000_000n,
      status: 'active',
      kind: { type: 'jetton-master', symbol: info.symbol, decimals: info.decimals, genuine: info.genuine, claims: info.claims ?? master, totalSupply: 0n },
      lastLt: 0n,
      lastHash: '0'.repeat(64),
    });
    this.#snapshots.set(this.head.seqno, cloneState(this.#state));
  }

  /** Genesis allocation: TON to an account, or jettons minted into `owner`'s wallet of `master`. */
  allocate(owner: Raw, ton: bigint, jetton?: { master: Raw; amount: bigint }): void {
    const account = this.#ensure(owner, owner === this.faucet ? { type: 'faucet' } : { type: 'none' });
    if (owner === this.faucet) account.status = 'active';
    account.balance += ton;
    if (jetton) {
      const master = this.#state.accounts.get(jetton.master);
      if (master?.kind.type !== 'jetton-master') throw new Error(`${jetton.master} is not a jetton master`);
      master.kind.totalSupply += jetton.amount;
      const wallet = this.#ensureJettonWallet(jetton.master, owner);
      if (wallet.kind.type === 'jetton-wallet') wallet.kind.balance += jetton.amount;
    }
    this.#snapshots.set(this.head.seqno, cloneState(this.#state));
  }

  #ensure(raw: Raw, kind: AccountKind): AccountState {
    let account = this.#state.accounts.get(raw);
    if (!account) {
      account = { balance: 0n, status: 'uninit', kind, lastLt: 0n, lastHash: '0'.repeat(64) };
      this.#state.accounts.set(raw, account);
    }
    return account;
  }

  #ensureJettonWallet(master: Raw, owner: Raw): AccountState {
    const raw = jettonWalletAddress(master, owner);
    const claims = this.#claimsOf(master);
    const account = this.#ensure(raw, { type: 'jetton-wallet', master, claims, owner, balance: 0n });
    if (account.kind.type !== 'jetton-wallet') account.kind = { type: 'jetton-wallet', master, claims, owner, balance: 0n };
    account.status = 'active';
    return account;
  }

  /** The master a master's wallets report: a fake one may impersonate another. */
  #claimsOf(master: Raw): Raw {
    const account = this.#state.accounts.get(master);
    return account?.kind.type === 'jetton-master' ? account.kind.claims : master;
  }

  // ------------------------------------------------------------------ get methods

  /** Runs a get method as toncenter's runGetMethod would; `stack` holds parsed arguments. */
  runGetMethod(raw: Raw, method: string, args: Array<{ type: 'num'; value: bigint } | { type: 'cell'; cell: Cell }>): { exitCode: number; stack: Array<{ type: 'num'; value: bigint } | { type: 'cell'; cell: Cell }> } {
    const account = this.#state.accounts.get(raw);
    if (!account || account.status !== 'active') return { exitCode: -13, stack: [] };
    const kind = account.kind;
    const addressCell = (a: Raw) => beginCell().storeAddress(addr(a)).endCell();
    if (kind.type === 'wallet') {
      if (method === 'seqno') return { exitCode: 0, stack: [{ type: 'num', value: BigInt(kind.seqno) }] };
      if (method === 'get_public_key') return { exitCode: 0, stack: [{ type: 'num', value: BigInt('0x' + kind.publicKey) }] };
      if (method === 'get_subwallet_id') return { exitCode: 0, stack: [{ type: 'num', value: BigInt(kind.subwalletId) }] };
    }
    if (kind.type === 'jetton-master') {
      if (method === 'get_wallet_address') {
        const arg = args[0];
        if (arg?.type !== 'cell') return { exitCode: 7, stack: [] }; // type check error
        let owner: Address | null;
        try {
          owner = arg.cell.beginParse().loadAddress();
        } catch {
          return { exitCode: 9, stack: [] }; // cell underflow
        }
        return { exitCode: 0, stack: [{ type: 'cell', cell: addressCell(jettonWalletAddress(raw, owner.toRawString())) }] };
      }
      if (method === 'get_jetton_data') {
        return {
          exitCode: 0,
          stack: [
            { type: 'num', value: kind.totalSupply },
            { type: 'num', value: -1n },
            { type: 'cell', cell: addressCell(raw) },
            { type: 'cell', cell: beginCell().storeUint(0, 8).storeStringTail(kind.symbol).endCell() },
            { type: 'cell', cell: beginCell().storeBuffer(Buffer.from(jettonWalletCodeHash(raw), 'hex')).endCell() },
          ],
        };
      }
    }
    if (kind.type === 'jetton-wallet' && method === 'get_wallet_data') {
      return {
        exitCode: 0,
        stack: [
          { type: 'num', value: kind.balance },
          { type: 'cell', cell: addressCell(kind.owner) },
          { type: 'cell', cell: addressCell(kind.claims) },
          { type: 'cell', cell: beginCell().storeBuffer(Buffer.from(jettonWalletCodeHash(kind.master), 'hex')).endCell() },
        ],
      };
    }
    return { exitCode: 11, stack: [] };
  }

  // ------------------------------------------------------------------ messages

  #nextLt(): bigint {
    this.#lt += 1n;
    return this.#lt;
  }

  #internal(from: Raw, out: Outgoing): SimMessage {
    const createdLt = this.#nextLt();
    const createdAt = this.now();
    const fwdFee = this.fees.forward;
    const cell = beginCell()
      .store(
        storeMessage({
          info: {
            type: 'internal',
            ihrDisabled: true,
            bounce: out.bounce,
            bounced: out.bounced ?? false,
            src: addr(from),
            dest: addr(out.to),
            value: { coins: out.value },
            ihrFee: 0n,
            forwardFee: fwdFee,
            createdLt,
            createdAt,
          },
          body: out.body,
        }),
      )
      .endCell();
    return {
      hash: cell.hash().toString('hex'),
      source: from,
      destination: out.to,
      value: out.value,
      fwdFee,
      createdLt,
      createdAt,
      bounce: out.bounce,
      bounced: out.bounced ?? false,
      body: out.body,
      opcode: opcodeOf(out.body),
      comment: commentOf(out.body),
      init: out.jettonInit ? jettonWalletStateInit(out.jettonInit.master, out.jettonInit.owner) : null,
      jettonInit: out.jettonInit ?? null,
    };
  }

  #external(cell: Cell, to: Raw, body: Cell, init: Cell | null): SimMessage {
    return {
      hash: cell.hash().toString('hex'),
      source: null,
      destination: to,
      value: null,
      fwdFee: null,
      createdLt: null,
      createdAt: null,
      bounce: null,
      bounced: null,
      body,
      opcode: opcodeOf(body),
      comment: null,
      init,
      jettonInit: null,
    };
  }

  #tx(account: Raw, state: AccountState | null, inMsg: SimMessage, traceId: string | null, fields: Partial<SimTx>): SimTx {
    const lt = this.#nextLt();
    const hash = digest(`tx:${account}:${lt}:${inMsg.hash}:${this.#generation}`);
    const tx: SimTx = {
      account,
      hash,
      lt,
      now: this.now(),
      mcSeqno: -1,
      shardSeqno: -1,
      traceId: traceId ?? hash,
      prevHash: state?.lastHash ?? '0'.repeat(64),
      prevLt: state?.lastLt ?? 0n,
      origStatus: state ? state.status : 'nonexist',
      endStatus: state ? state.status : 'nonexist',
      totalFees: 0n,
      aborted: false,
      computeSkipped: false,
      computeSuccess: true,
      exitCode: 0,
      actionSuccess: true,
      inMsg,
      outMsgs: [],
      jettonTransfer: null,
      ...fields,
    };
    return tx;
  }

  #finish(tx: SimTx, account: AccountState | null): void {
    if (account) {
      account.lastLt = tx.lt;
      account.lastHash = tx.hash;
      tx.endStatus = account.status;
    }
  }

  // ------------------------------------------------------------------ external messages (sendBoc)

  /**
   * Validates an external message as a v4R2 wallet would and executes the whole trace (it lands in the next
   * block). Throws ExternalRejectedError when the wallet would not accept it (nothing is charged).
   */
  sendExternal(boc: string): { messageHash: string; txs: SimTx[] } {
    let cell: Cell;
    try {
      cell = Cell.fromBase64(boc);
    } catch {
      throw new ExternalRejectedError(null, 'failed to deserialize the bag of cells');
    }
    const txs = this.#runExternal(cell);
    this.#pendingInputs.push({ kind: 'external', boc });
    this.#pendingTxs.push(...txs);
    return { messageHash: cell.hash().toString('hex'), txs };
  }

  #runExternal(cell: Cell): SimTx[] {
    let message;
    try {
      message = loadMessage(cell.beginParse());
    } catch {
      throw new ExternalRejectedError(null, 'not a message');
    }
    if (message.info.type !== 'external-in') throw new ExternalRejectedError(null, 'only inbound external messages can be sent');
    const dest = message.info.dest.toRawString();
    const account = this.#state.accounts.get(dest);
    if (!account || account.balance === 0n) {
      throw new ExternalRejectedError(null, `cannot apply external message to current state: account ${dest} has no balance to pay for gas`);
    }
    let key: { publicKey: string; seqno: number; subwalletId: number };
    let init: StateInit | null = null;
    if (account.status === 'active') {
      if (account.kind.type !== 'wallet') throw new ExternalRejectedError(null, `account ${dest} does not accept external messages`);
      key = account.kind;
    } else {
      init = message.init ?? null;
      if (!init?.code || !init.data) throw new ExternalRejectedError(null, `account ${dest} is not initialized and the message carries no StateInit`);
      if (init.code.hash().toString('hex') !== V4R2_CODE_HASH) throw new ExternalRejectedError(null, 'StateInit code is not wallet v4R2');
      if (!contractAddress(0, init).equals(message.info.dest)) throw new ExternalRejectedError(null, 'StateInit does not hash to the destination address');
      try {
        key = parseWalletData(init.data);
      } catch {
        throw new ExternalRejectedError(null, 'StateInit data is not wallet v4R2 data');
      }
    }

    // recv_external of wallet v4R2, in its order.
    const body = message.body.beginParse();
    let signature: Buffer;
    let subwalletId: number;
    let validUntil: number;
    let seqno: number;
    let signingHash: Buffer;
    try {
      signature = body.loadBuffer(64);
      signingHash = beginCell().storeSlice(body.clone()).endCell().hash();
      subwalletId = body.loadUint(32);
      validUntil = body.loadUint(32);
      seqno = body.loadUint(32);
    } catch {
      throw new ExternalRejectedError(9, 'exitcode=9: cell underflow reading the signed message');
    }
    if (validUntil <= this.now()) throw new ExternalRejectedError(36, `exitcode=36: message expired (valid_until ${validUntil} <= now ${this.now()})`);
    if (seqno !== key.seqno) throw new ExternalRejectedError(33, `exitcode=33: seqno ${seqno} does not match the wallet's ${key.seqno}`);
    if (subwalletId !== key.subwalletId) throw new ExternalRejectedError(34, `exitcode=34: subwallet id ${subwalletId} is not ${key.subwalletId}`);
    if (!ed25519.verify(signature, signingHash, hex.decode(key.publicKey))) {
      throw new ExternalRejectedError(35, 'exitcode=35: signature does not match the wallet public key');
    }
    if (account.balance < this.fees.walletGas) throw new ExternalRejectedError(-14, 'exitcode=-14: not enough balance to pay for gas');

    // accept_message(): from here the wallet pays and the message is in the chain.
    const inMsg = this.#external(cell, dest, message.body, init ? beginCell().store(storeStateInit(init)).endCell() : null);
    const tx = this.#tx(dest, account, inMsg, null, {});
    const previous = { status: account.status, kind: account.kind };
    if (account.status !== 'active') {
      account.status = 'active';
      account.kind = { type: 'wallet', publicKey: key.publicKey, seqno: key.seqno, subwalletId: key.subwalletId };
    }
    account.balance -= this.fees.walletGas;
    tx.totalFees = this.fees.walletGas;
    const wallet = account.kind as Extract<AccountKind, { type: 'wallet' }>;

    const op = body.remainingBits >= 8 ? body.loadUint(8) : -1;
    const sends: Array<{ mode: number; out: Outgoing }> = [];
    if (op === 0) {
      while (body.remainingRefs > 0 && body.remainingBits >= 8) {
        const mode = body.loadUint(8);
        const relaxed = loadMessageRelaxed(body.loadRef().beginParse());
        if (relaxed.info.type !== 'internal') continue;
        sends.push({ mode, out: { to: relaxed.info.dest.toRawString(), value: relaxed.info.value.coins, bounce: relaxed.info.bounce, body: relaxed.body } });
      }
    }
    // Action phase: mode +1 pays the forward fee separately, +2 skips a message that cannot be paid, +128 sends
    // the whole remaining balance. Without +2 a failure fails the whole phase and nothing (not even seqno) changes.
    let balance = account.balance;
    const planned: Outgoing[] = [];
    let failed = false;
    for (const { mode, out } of sends) {
      const all = (mode & 128) !== 0;
      const separate = (mode & 1) !== 0;
      const cost = all ? balance : separate ? out.value + this.fees.forward : out.value;
      const value = all ? balance - this.fees.forward : separate ? out.value : out.value - this.fees.forward;
      if (cost > balance || value < 0n) {
        if ((mode & 2) !== 0) continue;
        failed = true;
        break;
      }
      balance -= cost;
      planned.push({ ...out, value });
    }
    if (failed) {
      account.status = previous.status;
      account.kind = previous.kind;
      tx.aborted = true;
      tx.actionSuccess = false;
      this.#finish(tx, account);
      return [tx];
    }
    wallet.seqno += 1;
    account.balance = balance;
    tx.totalFees += BigInt(planned.length) * this.fees.forward;
    tx.outMsgs = planned.map((out) => this.#internal(dest, out));
    this.#finish(tx, account);
    return [tx, ...this.#deliverAll(tx.outMsgs, tx.traceId)];
  }

  // ------------------------------------------------------------------ faucet

  /** A faucet transfer (TON, or jettons of `jettonMaster`), executed now and recorded for the next block. */
  faucetSend(input: Omit<Extract<TraceInput, { kind: 'faucet' }>, 'kind'>): SimTx[] {
    const txs = this.#runFaucet(input);
    this.#pendingInputs.push({ kind: 'faucet', ...input });
    this.#pendingTxs.push(...txs);
    return txs;
  }

  #runFaucet(input: Omit<Extract<TraceInput, { kind: 'faucet' }>, 'kind'>): SimTx[] {
    const faucet = this.#state.accounts.get(this.faucet)!;
    const body = beginCell().storeUint(++this.#nonce, 64).endCell();
    const extCell = beginCell()
      .store(storeMessage({ info: { type: 'external-in', src: null, dest: addr(this.faucet), importFee: 0n }, body }))
      .endCell();
    const inMsg = this.#external(extCell, this.faucet, body, null);
    const tx = this.#tx(this.faucet, faucet, inMsg, null, {});
    let out: Outgoing;
    if (input.jettonMaster === null) {
      if (faucet.balance < input.amount + this.fees.forward) throw new Error('faucet has no TON left');
      const body = input.body ?? (input.comment === null ? Cell.EMPTY : beginCell().storeUint(0, 32).storeStringTail(input.comment).endCell());
      out = { to: input.to, value: input.amount, bounce: false, body };
    } else {
      const forwardPayload = input.comment === null ? null : beginCell().storeUint(0, 32).storeStringTail(input.comment).endCell();
      const transfer = beginCell()
        .storeUint(JETTON_OP.transfer, 32)
        .storeUint(this.#nonce, 64)
        .storeCoins(input.amount)
        .storeAddress(addr(input.to))
        .storeAddress(addr(this.faucet))
        .storeBit(0)
        .storeCoins(input.forwardTonAmount);
      if (forwardPayload) transfer.storeBit(1).storeRef(forwardPayload);
      else transfer.storeBit(0);
      out = { to: jettonWalletAddress(input.jettonMaster, this.faucet), value: 100_000_000n, bounce: true, body: transfer.endCell() };
    }
    faucet.balance -= out.value + this.fees.forward;
    tx.totalFees = this.fees.forward;
    tx.outMsgs = [this.#internal(this.faucet, out)];
    this.#finish(tx, faucet);
    return [tx, ...this.#deliverAll(tx.outMsgs, tx.traceId)];
  }

  // ------------------------------------------------------------------ internal messages

  #deliverAll(messages: SimMessage[], traceId: string): SimTx[] {
    const queue = [...messages];
    const out: SimTx[] = [];
    for (let steps = 0; queue.length > 0; steps++) {
      if (steps > 64) throw new Error('trace too long');
      const tx = this.#deliver(queue.shift()!, traceId);
      out.push(tx);
      queue.push(...tx.outMsgs);
    }
    return out;
  }

  #deliver(msg: SimMessage, traceId: string): SimTx {
    const dest = msg.destination!;
    const value = msg.value ?? 0n;
    let account = this.#state.accounts.get(dest) ?? null;
    const isJettonInternal = msg.opcode === JETTON_OP.internalTransfer && !msg.bounced;
    if (isJettonInternal || account?.kind.type === 'jetton-wallet') return this.#jettonWallet(msg, traceId);
    if (!account) {
      if (msg.bounce) {
        // A bounceable message to an account that does not exist comes back (minus fees).
        const tx = this.#tx(dest, null, msg, traceId, { computeSkipped: true, computeSuccess: false, aborted: true, actionSuccess: null });
        const back = value - this.fees.forward;
        if (back > 0n) tx.outMsgs = [this.#internal(dest, { to: msg.source!, value: back, bounce: false, bounced: true, body: this.#bounceBody(msg.body) })];
        tx.totalFees = this.fees.forward;
        return tx;
      }
      // As on mainnet: no code to run (compute skipped, no_state) makes the transaction "aborted", yet the credit
      // phase has already added the value: the account now exists, uninit, holding it.
      account = this.#ensure(dest, { type: 'none' });
      const tx = this.#tx(dest, null, msg, traceId, { computeSkipped: true, computeSuccess: false, aborted: true, actionSuccess: null });
      account.balance += value;
      this.#finish(tx, account);
      return tx;
    }
    if (account.status !== 'active') {
      const tx = this.#tx(dest, account, msg, traceId, { computeSkipped: true, computeSuccess: false, aborted: true, actionSuccess: null });
      account.balance += value;
      this.#finish(tx, account);
      return tx;
    }
    // Wallets, masters, the faucet: the value is credited; nothing else happens for these bodies.
    const tx = this.#tx(dest, account, msg, traceId, {});
    account.balance += value;
    this.#finish(tx, account);
    return tx;
  }

  #bounceBody(original: Cell): Cell {
    const s = original.beginParse();
    const bits = Math.min(256, s.remainingBits);
    return beginCell().storeUint(BOUNCED_PREFIX, 32).storeBits(s.loadBits(bits)).endCell();
  }

  /** A jetton wallet's transaction: transfer, internal_transfer, or a bounce of its own internal_transfer. */
  #jettonWallet(msg: SimMessage, traceId: string): SimTx {
    const dest = msg.destination!;
    const value = msg.value ?? 0n;
    const before = this.#state.accounts.get(dest) ?? null;
    const fail = (exitCode: number): SimTx => {
      const tx = this.#tx(dest, before, msg, traceId, { computeSuccess: false, exitCode, aborted: true, actionSuccess: null });
      const fee = this.fees.jettonGas;
      if (before) before.balance += value > fee ? value - fee : 0n;
      tx.totalFees = value < fee ? value : fee;
      const back = value - fee - this.fees.forward;
      if (msg.bounce && back > 0n && msg.source) {
        tx.outMsgs = [this.#internal(dest, { to: msg.source, value: back, bounce: false, bounced: true, body: this.#bounceBody(msg.body) })];
        if (before) before.balance -= back;
      }
      this.#finish(tx, before);
      return tx;
    };
    const s = msg.body.beginParse();

    if (msg.bounced) {
      // on_bounce: a refused internal_transfer gives the jettons back.
      const tx = this.#tx(dest, before, msg, traceId, {});
      try {
        s.loadUint(32);
        if (s.loadUint(32) === JETTON_OP.internalTransfer && before?.kind.type === 'jetton-wallet') {
          s.loadUintBig(64);
          before.kind.balance += s.loadCoins();
        }
      } catch {
        /* a truncated bounce body: nothing to restore */
      }
      if (before) before.balance += value;
      this.#finish(tx, before);
      return tx;
    }

    let op: number;
    let queryId: bigint;
    try {
      op = s.loadUint(32);
      queryId = s.loadUintBig(64);
    } catch {
      return fail(0xffff);
    }

    if (op === JETTON_OP.transfer) {
      if (before?.kind.type !== 'jetton-wallet') return fail(0xffff);
      const wallet = before.kind;
      let amount: bigint;
      let destination: Address;
      let response: Address | null;
      let forwardTon: bigint;
      let forwardPayload: Cell | null;
      try {
        amount = s.loadCoins();
        destination = s.loadAddress();
        response = s.loadMaybeAddress();
        s.loadMaybeRef(); // custom_payload
        forwardTon = s.loadCoins();
        forwardPayload = s.loadBit() ? s.loadRef() : s.remainingBits > 0 || s.remainingRefs > 0 ? beginCell().storeSlice(s).endCell() : null;
      } catch {
        return fail(708);
      }
      if (msg.source !== wallet.owner) return fail(705);
      if (amount > wallet.balance) return fail(706);
      const needed = forwardTon + 2n * this.fees.jettonGas + (forwardTon > 0n ? 3n : 2n) * this.fees.forward;
      if (value < needed) return fail(709);
      const tx = this.#tx(dest, before, msg, traceId, {});
      wallet.balance -= amount;
      const sendValue = value - this.fees.jettonGas - this.fees.forward;
      const internalTransfer = beginCell()
        .storeUint(JETTON_OP.internalTransfer, 32)
        .storeUint(queryId, 64)
        .storeCoins(amount)
        .storeAddress(addr(wallet.owner))
        .storeAddress(response)
        .storeCoins(forwardTon);
      if (forwardPayload) internalTransfer.storeBit(1).storeRef(forwardPayload);
      else internalTransfer.storeBit(0);
      const destinationOwner = destination.toRawString();
      tx.outMsgs = [
        this.#internal(dest, {
          to: jettonWalletAddress(wallet.master, destinationOwner),
          value: sendValue,
          bounce: true,
          body: internalTransfer.endCell(),
          jettonInit: { master: wallet.master, owner: destinationOwner },
        }),
      ];
      tx.totalFees = this.fees.jettonGas + this.fees.forward;
      tx.jettonTransfer = {
        queryId,
        source: wallet.owner,
        destination: destinationOwner,
        amount,
        sourceWallet: dest,
        jettonMaster: wallet.claims,
        responseDestination: response?.toRawString() ?? null,
        forwardTonAmount: forwardTon,
        forwardPayload,
      };
      this.#finish(tx, before);
      return tx;
    }

    if (op === JETTON_OP.internalTransfer) {
      let amount: bigint;
      let from: Address;
      let response: Address | null;
      let forwardTon: bigint;
      let forwardPayload: Cell | null;
      try {
        amount = s.loadCoins();
        from = s.loadAddress();
        response = s.loadMaybeAddress();
        forwardTon = s.loadCoins();
        forwardPayload = s.loadBit() ? s.loadRef() : null;
      } catch {
        return fail(708);
      }
      // The wallet's identity: its state, or the StateInit the message brings (which must hash to this address).
      let identity: { master: Raw; owner: Raw } | null = null;
      if (before?.kind.type === 'jetton-wallet') identity = { master: before.kind.master, owner: before.kind.owner };
      else if (msg.jettonInit && jettonWalletAddress(msg.jettonInit.master, msg.jettonInit.owner) === dest) identity = msg.jettonInit;
      if (identity === null) return fail(0xffff);
      // Only a wallet of the same master (for `from`) or the master itself may credit this wallet.
      if (msg.source !== jettonWalletAddress(identity.master, from.toRawString()) && msg.source !== identity.master) return fail(707);
      const tx = this.#tx(dest, before, msg, traceId, {});
      const account = before?.kind.type === 'jetton-wallet' ? before : this.#ensureJettonWallet(identity.master, identity.owner);
      const owner = identity.owner;
      const walletKind = account.kind as Extract<AccountKind, { type: 'jetton-wallet' }>;
      walletKind.balance += amount;
      let remaining = value - this.fees.jettonGas;
      const outs: Outgoing[] = [];
      if (forwardTon > 0n) {
        const notification = beginCell()
          .storeUint(JETTON_OP.transferNotification, 32)
          .storeUint(queryId, 64)
          .storeCoins(amount)
          .storeAddress(from);
        if (forwardPayload) notification.storeBit(1).storeRef(forwardPayload);
        else notification.storeBit(0);
        outs.push({ to: owner, value: forwardTon, bounce: false, body: notification.endCell() });
        remaining -= forwardTon + this.fees.forward;
      }
      if (response !== null && remaining > this.fees.forward) {
        outs.push({ to: response.toRawString(), value: remaining - this.fees.forward, bounce: false, body: beginCell().storeUint(JETTON_OP.excesses, 32).storeUint(queryId, 64).endCell() });
        remaining = 0n;
      }
      account.balance += remaining > 0n ? remaining : 0n;
      tx.totalFees = this.fees.jettonGas + BigInt(outs.length) * this.fees.forward;
      tx.outMsgs = outs.map((out) => this.#internal(dest, out));
      this.#finish(tx, account);
      return tx;
    }
    return fail(0xffff);
  }

  // ------------------------------------------------------------------ blocks

  #seal(seqno: number): McBlock {
    const prev = this.#blocks[this.#blocks.length - 1];
    const genUtime = Math.max(this.#now(), prev?.genUtime ?? 0);
    const txs = this.#pendingTxs;
    const inputs = this.#pendingInputs;
    this.#pendingTxs = [];
    this.#pendingInputs = [];
    const startLt = prev ? prev.endLt + 1n : this.#lt;
    const endLt = txs.length > 0 ? txs.reduce((m, t) => (t.lt > m ? t.lt : m), startLt) + 1n : startLt + 1n;
    if (this.#lt < endLt) this.#lt = endLt;
    const salt = `${seqno}:${this.#generation}:${genUtime}:${txs.map((t) => t.hash).join(',')}:${prev?.rootHash ?? ''}`;
    const shardSeqno = seqno + 7_000_000;
    const block: McBlock = {
      seqno,
      rootHash: digest(`mc-root:${salt}`),
      fileHash: digest(`mc-file:${salt}`),
      shardSeqno,
      shardRootHash: digest(`shard-root:${salt}`),
      shardFileHash: digest(`shard-file:${salt}`),
      genUtime,
      startLt,
      endLt,
      txs,
      inputs,
    };
    for (const tx of txs) {
      tx.mcSeqno = seqno;
      tx.shardSeqno = shardSeqno;
      tx.now = genUtime;
    }
    this.#blocks.push(block);
    this.#snapshots.set(seqno, cloneState(this.#state));
    this.#snapshots.delete(seqno - this.#maxReorgDepth - 1);
    return block;
  }

  /** Collects the transactions executed since the last block into a new masterchain block. */
  mine(): McBlock {
    return this.#seal(this.head.seqno + 1);
  }

  /**
   * Replaces the last `depth` masterchain blocks with as many different ones. Their messages are dropped unless
   * `reinclude`, in which case the still-valid ones are executed again into the first new block.
   */
  reorg(depth: number, options: { reinclude?: boolean } = {}): { removed: McBlock[]; added: McBlock[] } {
    if (!Number.isSafeInteger(depth) || depth < 1) throw new RangeError('depth must be a positive integer');
    if (depth > this.#maxReorgDepth || depth >= this.#blocks.length) {
      throw new RangeError(`depth ${depth} exceeds the chain (${this.#blocks.length - 1} blocks after the first, max ${this.#maxReorgDepth})`);
    }
    const removed = this.#blocks.splice(this.#blocks.length - depth, depth);
    this.#state = cloneState(this.#snapshots.get(this.head.seqno)!);
    for (const block of removed) this.#snapshots.delete(block.seqno);
    this.#generation += 1;
    const replay = [...(options.reinclude ? removed.flatMap((b) => b.inputs) : []), ...this.#pendingInputs];
    this.#pendingTxs = [];
    this.#pendingInputs = [];
    for (const input of replay) {
      try {
        if (input.kind === 'external') this.sendExternal(input.boc);
        else this.faucetSend(input);
      } catch (error) {
        if (!(error instanceof ExternalRejectedError)) throw error;
      }
    }
    const added: McBlock[] = [];
    for (let i = 0; i < depth; i++) added.push(this.mine());
    return { removed, added };
  }
}

