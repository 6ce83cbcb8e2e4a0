import { Address, beginCell, type Cell, storeStateInit } from '@ton/core';
import { JETTON_OP } from '../../providers/toncenter/jetton.js';
import {
  addr,
  bounceBody,
  digest,
  type AccountKind,
  type AccountState,
  type Outgoing,
  type Raw,
  type SimMessage,
  type SimTx,
  type TonExecution,
} from './state.js';

/**
 * TEP-74 jettons as the emulator runs them: masters, jetton wallets (transfer → internal_transfer →
 * transfer_notification + excesses, with the standard exit codes and bounces), and fake masters whose wallets may
 * even claim the genuine master in get_wallet_data (so only get_wallet_address on the genuine master tells them apart).
 */

export function jettonWalletAddress(master: Raw, owner: Raw): Raw {
  return `0:${digest(`jetton-wallet:${master}:${owner}`)}`;
}

export function jettonWalletCodeHash(master: Raw): string {
  return digest(`jetton-wallet-code:${master}`);
}

/** The StateInit an internal_transfer carries to deploy a jetton wallet: code (stands for the master's wallet code), data (balance 0, owner, master). */
export function jettonWalletStateInit(master: Raw, owner: Raw): Cell {
  const code = beginCell()
    .storeBuffer(Buffer.from(jettonWalletCodeHash(master), 'hex'))
    .endCell();
  const data = beginCell()
    .storeCoins(0)
    .storeAddress(Address.parseRaw(owner))
    .storeAddress(Address.parseRaw(master))
    .endCell();
  return beginCell().store(storeStateInit({ code, data })).endCell();
}

/** The master a master's wallets report: a fake one may impersonate another. */
export function claimsOf(accounts: ReadonlyMap<Raw, AccountState>, master: Raw): Raw {
  const account = accounts.get(master);
  return account?.kind.type === 'jetton-master' ? account.kind.claims : master;
}

/** `owner`'s wallet of `master`, deployed (active) if it was not. */
export function ensureJettonWallet(
  exec: Pick<TonExecution, 'accounts' | 'ensure'>,
  master: Raw,
  owner: Raw,
): AccountState {
  const raw = jettonWalletAddress(master, owner);
  const claims = claimsOf(exec.accounts, master);
  const account = exec.ensure(raw, { type: 'jetton-wallet', master, claims, owner, balance: 0n });
  if (account.kind.type !== 'jetton-wallet')
    account.kind = { type: 'jetton-wallet', master, claims, owner, balance: 0n };
  account.status = 'active';
  return account;
}

export type StackEntry = { type: 'num'; value: bigint } | { type: 'cell'; cell: Cell };
export type GetMethodResult = { exitCode: number; stack: StackEntry[] };
const addressCell = (a: Raw) => beginCell().storeAddress(addr(a)).endCell();

/** A jetton master's get methods (get_wallet_address, get_jetton_data); null for any other. */
export function jettonMasterGetMethod(
  raw: Raw,
  kind: Extract<AccountKind, { type: 'jetton-master' }>,
  method: string,
  args: readonly StackEntry[],
): GetMethodResult | null {
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
        {
          type: 'cell',
          cell: beginCell()
            .storeBuffer(Buffer.from(jettonWalletCodeHash(raw), 'hex'))
            .endCell(),
        },
      ],
    };
  }
  return null;
}

/** A jetton wallet's get_wallet_data (balance, owner, the master it claims, wallet code); null for any other. */
export function jettonWalletGetMethod(
  kind: Extract<AccountKind, { type: 'jetton-wallet' }>,
  method: string,
): GetMethodResult | null {
  if (method !== 'get_wallet_data') return null;
  return {
    exitCode: 0,
    stack: [
      { type: 'num', value: kind.balance },
      { type: 'cell', cell: addressCell(kind.owner) },
      { type: 'cell', cell: addressCell(kind.claims) },
      {
        type: 'cell',
        cell: beginCell()
          .storeBuffer(Buffer.from(jettonWalletCodeHash(kind.master), 'hex'))
          .endCell(),
      },
    ],
  };
}

/** A jetton wallet's transaction: transfer, internal_transfer, or a bounce of its own internal_transfer. */
export function executeJettonWallet(exec: TonExecution, msg: SimMessage, traceId: string): SimTx {
  const dest = msg.destination!;
  const value = msg.value ?? 0n;
  const before = exec.accounts.get(dest) ?? null;
  const fail = (exitCode: number): SimTx => {
    const tx = exec.tx(dest, before, msg, traceId, {
      computeSuccess: false,
      exitCode,
      aborted: true,
      actionSuccess: null,
    });
    const fee = exec.fees.jettonGas;
    if (before) before.balance += value > fee ? value - fee : 0n;
    tx.totalFees = value < fee ? value : fee;
    const back = value - fee - exec.fees.forward;
    if (msg.bounce && back > 0n && msg.source) {
      tx.outMsgs = [
        exec.internal(dest, { to: msg.source, value: back, bounce: false, bounced: true, body: bounceBody(msg.body) }),
      ];
      if (before) before.balance -= back;
    }
    exec.finish(tx, before);
    return tx;
  };
  const s = msg.body.beginParse();

  if (msg.bounced) {
    // on_bounce: a refused internal_transfer gives the jettons back.
    const tx = exec.tx(dest, before, msg, traceId, {});
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
    exec.finish(tx, before);
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
      forwardPayload = s.loadBit()
        ? s.loadRef()
        : s.remainingBits > 0 || s.remainingRefs > 0
          ? beginCell().storeSlice(s).endCell()
          : null;
    } catch {
      return fail(708);
    }
    if (msg.source !== wallet.owner) return fail(705);
    if (amount > wallet.balance) return fail(706);
    const needed = forwardTon + 2n * exec.fees.jettonGas + (forwardTon > 0n ? 3n : 2n) * exec.fees.forward;
    if (value < needed) return fail(709);
    const tx = exec.tx(dest, before, msg, traceId, {});
    wallet.balance -= amount;
    const sendValue = value - exec.fees.jettonGas - exec.fees.forward;
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
      exec.internal(dest, {
        to: jettonWalletAddress(wallet.master, destinationOwner),
        value: sendValue,
        bounce: true,
        body: internalTransfer.endCell(),
        jettonInit: { master: wallet.master, owner: destinationOwner },
      }),
    ];
    tx.totalFees = exec.fees.jettonGas + exec.fees.forward;
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
    exec.finish(tx, before);
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
    else if (msg.jettonInit && jettonWalletAddress(msg.jettonInit.master, msg.jettonInit.owner) === dest)
      identity = msg.jettonInit;
    if (identity === null) return fail(0xffff);
    // Only a wallet of the same master (for `from`) or the master itself may credit this wallet.
    if (msg.source !== jettonWalletAddress(identity.master, from.toRawString()) && msg.source !== identity.master)
      return fail(707);
    const tx = exec.tx(dest, before, msg, traceId, {});
    const account =
      before?.kind.type === 'jetton-wallet' ? before : ensureJettonWallet(exec, identity.master, identity.owner);
    const owner = identity.owner;
    const walletKind = account.kind as Extract<AccountKind, { type: 'jetton-wallet' }>;
    walletKind.balance += amount;
    let remaining = value - exec.fees.jettonGas;
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
      remaining -= forwardTon + exec.fees.forward;
    }
    if (response !== null && remaining > exec.fees.forward) {
      outs.push({
        to: response.toRawString(),
        value: remaining - exec.fees.forward,
        bounce: false,
        body: beginCell().storeUint(JETTON_OP.excesses, 32).storeUint(queryId, 64).endCell(),
      });
      remaining = 0n;
    }
    account.balance += remaining > 0n ? remaining : 0n;
    tx.totalFees = exec.fees.jettonGas + BigInt(outs.length) * exec.fees.forward;
    tx.outMsgs = outs.map((out) => exec.internal(dest, out));
    exec.finish(tx, account);
    return tx;
  }
  return fail(0xffff);
}
