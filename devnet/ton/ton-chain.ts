import { beginCell, Cell, storeMessage } from '@ton/core';
import { JETTON_OP, commentOf } from '../../providers/toncenter/jetton.js';
import { TonBlocks } from './blocks.js';
import {
  ensureJettonWallet,
  executeJettonWallet,
  jettonMasterGetMethod,
  jettonWalletAddress,
  jettonWalletGetMethod,
  jettonWalletStateInit,
  type GetMethodResult,
  type StackEntry,
} from './jettons.js';
import {
  DEFAULT_TON_FEES,
  ExternalRejectedError,
  addr,
  bounceBody,
  digest,
  opcodeOf,
  type AccountKind,
  type AccountState,
  type McBlock,
  type Outgoing,
  type Raw,
  type SimMessage,
  type SimTx,
  type State,
  type TonChainOptions,
  type TonExecution,
  type TonFees,
  type TraceInput,
} from './state.js';
import { executeWalletExternal, walletGetMethod } from './wallet-v4r2.js';

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
 *
 * One job per module: state.ts (accounts, messages, transactions, blocks as data), wallet-v4r2.ts and jettons.ts
 * (contract emulation), blocks.ts (sealing, snapshots, reorg depth), this file (the chain: setup, get methods,
 * message delivery, traces, mining, reorg replay), toncenter.simulator.ts (the HTTP routes).
 */
export class TonChain {
  readonly fees: TonFees;
  readonly startSeqno: number;
  readonly #now: () => number;
  readonly #blocks: TonBlocks;
  #state: State = { accounts: new Map() };
  #pendingTxs: SimTx[] = [];
  #pendingInputs: TraceInput[] = [];
  #lt = 0n;
  #generation = 0;
  #nonce = 0;
  readonly faucet: Raw;
  /** What the contract emulation runs against. */
  readonly #exec: TonExecution;

  constructor(options: TonChainOptions = {}) {
    this.fees = { ...DEFAULT_TON_FEES, ...options.fees };
    this.startSeqno = options.startSeqno ?? 40_000_000;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#blocks = new TonBlocks(this.startSeqno, options.maxReorgDepth ?? 256);
    this.#lt = BigInt(this.startSeqno) * 1_000_000n;
    this.faucet = `0:${digest('toncenter-simulator faucet')}`;
    const state = () => this.#state;
    this.#exec = {
      fees: this.fees,
      get accounts() {
        return state().accounts;
      },
      now: () => this.now(),
      ensure: (raw, kind) => this.#ensure(raw, kind),
      tx: (account, state, inMsg, traceId, fields) => this.#tx(account, state, inMsg, traceId, fields),
      internal: (from, out) => this.#internal(from, out),
      external: (cell, to, body, init) => this.#external(cell, to, body, init),
      finish: (tx, account) => this.#finish(tx, account),
      deliverAll: (messages, traceId) => this.#deliverAll(messages, traceId),
    };
    this.#seal(this.startSeqno);
  }

  // ------------------------------------------------------------------ reads

  get head(): McBlock {
    return this.#blocks.head;
  }

  get first(): McBlock {
    return this.#blocks.first;
  }

  get blocks(): readonly McBlock[] {
    return this.#blocks.all;
  }

  block(seqno: number): McBlock | null {
    return this.#blocks.at(seqno);
  }

  account(raw: Raw): AccountState | null {
    return this.#state.accounts.get(raw) ?? null;
  }

  /** Deployed jetton wallets (raw addresses). */
  jettonWallets(): Raw[] {
    return [...this.#state.accounts]
      .filter(([, a]) => a.kind.type === 'jetton-wallet' && a.status === 'active')
      .map(([raw]) => raw);
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
      kind: {
        type: 'jetton-master',
        symbol: info.symbol,
        decimals: info.decimals,
        genuine: info.genuine,
        claims: info.claims ?? master,
        totalSupply: 0n,
      },
      lastLt: 0n,
      lastHash: '0'.repeat(64),
    });
    this.#blocks.snapshotHead(this.#state);
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
      const wallet = ensureJettonWallet(this.#exec, jetton.master, owner);
      if (wallet.kind.type === 'jetton-wallet') wallet.kind.balance += jetton.amount;
    }
    this.#blocks.snapshotHead(this.#state);
  }

  #ensure(raw: Raw, kind: AccountKind): AccountState {
    let account = this.#state.accounts.get(raw);
    if (!account) {
      account = { balance: 0n, status: 'uninit', kind, lastLt: 0n, lastHash: '0'.repeat(64) };
      this.#state.accounts.set(raw, account);
    }
    return account;
  }

  // ------------------------------------------------------------------ get methods

  /** Runs a get method as toncenter's runGetMethod would; `args` holds parsed arguments. */
  runGetMethod(raw: Raw, method: string, args: StackEntry[]): GetMethodResult {
    const account = this.#state.accounts.get(raw);
    if (!account || account.status !== 'active') return { exitCode: -13, stack: [] };
    const kind = account.kind;
    if (kind.type === 'wallet') {
      const value = walletGetMethod(kind, method);
      if (value !== null) return { exitCode: 0, stack: [{ type: 'num', value }] };
    }
    if (kind.type === 'jetton-master') {
      const result = jettonMasterGetMethod(raw, kind, method, args);
      if (result) return result;
    }
    if (kind.type === 'jetton-wallet') {
      const result = jettonWalletGetMethod(kind, method);
      if (result) return result;
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

  #tx(
    account: Raw,
    state: AccountState | null,
    inMsg: SimMessage,
    traceId: string | null,
    fields: Partial<SimTx>,
  ): SimTx {
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
    const txs = executeWalletExternal(this.#exec, cell);
    this.#pendingInputs.push({ kind: 'external', boc });
    this.#pendingTxs.push(...txs);
    return { messageHash: cell.hash().toString('hex'), txs };
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
      const body =
        input.body ??
        (input.comment === null ? Cell.EMPTY : beginCell().storeUint(0, 32).storeStringTail(input.comment).endCell());
      out = { to: input.to, value: input.amount, bounce: false, body };
    } else {
      const forwardPayload =
        input.comment === null ? null : beginCell().storeUint(0, 32).storeStringTail(input.comment).endCell();
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
      out = {
        to: jettonWalletAddress(input.jettonMaster, this.faucet),
        value: 100_000_000n,
        bounce: true,
        body: transfer.endCell(),
      };
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
    if (isJettonInternal || account?.kind.type === 'jetton-wallet')
      return executeJettonWallet(this.#exec, msg, traceId);
    if (!account) {
      if (msg.bounce) {
        // A bounceable message to an account that does not exist comes back (minus fees).
        const tx = this.#tx(dest, null, msg, traceId, {
          computeSkipped: true,
          computeSuccess: false,
          aborted: true,
          actionSuccess: null,
        });
        const back = value - this.fees.forward;
        if (back > 0n)
          tx.outMsgs = [
            this.#internal(dest, {
              to: msg.source!,
              value: back,
              bounce: false,
              bounced: true,
              body: bounceBody(msg.body),
            }),
          ];
        tx.totalFees = this.fees.forward;
        return tx;
      }
      // As on mainnet: no code to run (compute skipped, no_state) makes the transaction "aborted", yet the credit
      // phase has already added the value: the account now exists, uninit, holding it.
      account = this.#ensure(dest, { type: 'none' });
      const tx = this.#tx(dest, null, msg, traceId, {
        computeSkipped: true,
        computeSuccess: false,
        aborted: true,
        actionSuccess: null,
      });
      account.balance += value;
      this.#finish(tx, account);
      return tx;
    }
    if (account.status !== 'active') {
      const tx = this.#tx(dest, account, msg, traceId, {
        computeSkipped: true,
        computeSuccess: false,
        aborted: true,
        actionSuccess: null,
      });
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

  // ------------------------------------------------------------------ blocks

  #seal(seqno: number): McBlock {
    const txs = this.#pendingTxs;
    const inputs = this.#pendingInputs;
    this.#pendingTxs = [];
    this.#pendingInputs = [];
    const { block, lt } = this.#blocks.seal(seqno, {
      clock: this.#now(),
      lt: this.#lt,
      generation: this.#generation,
      txs,
      inputs,
      state: this.#state,
    });
    this.#lt = lt;
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
    const { removed, state } = this.#blocks.cut(depth);
    this.#state = state;
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
