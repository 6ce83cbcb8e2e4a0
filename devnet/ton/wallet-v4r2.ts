import { ed25519 } from '@noble/curves/ed25519.js';
import { hex } from '@scure/base';
import {
  beginCell,
  type Cell,
  contractAddress,
  loadMessage,
  loadMessageRelaxed,
  storeStateInit,
  type StateInit,
} from '@ton/core';
import { walletV4R2StateInit } from '../../chains/ton-wallet.js';
import { ExternalRejectedError, type AccountKind, type Outgoing, type TonExecution, type SimTx } from './state.js';

/**
 * Wallet contract v4R2 as the emulator runs it: external messages verified as the contract does (valid_until →
 * exit 36, seqno → 33, subwallet id → 34, ed25519 signature over the signing-message hash with the key from the
 * account's data or the message's StateInit → 35), deployed by their first message, send modes 1/2/128.
 */

export const V4R2_CODE_HASH = walletV4R2StateInit(new Uint8Array(32)).code!.hash().toString('hex');

/** Wallet v4R2 data: seqno, subwallet id, public key, plugins. */
function parseWalletData(data: Cell): { seqno: number; subwalletId: number; publicKey: string } {
  const s = data.beginParse();
  return { seqno: s.loadUint(32), subwalletId: s.loadUint(32), publicKey: s.loadBuffer(32).toString('hex') };
}

/** The wallet's get methods (seqno, get_public_key, get_subwallet_id); null for any other. */
export function walletGetMethod(kind: Extract<AccountKind, { type: 'wallet' }>, method: string): bigint | null {
  if (method === 'seqno') return BigInt(kind.seqno);
  if (method === 'get_public_key') return BigInt('0x' + kind.publicKey);
  if (method === 'get_subwallet_id') return BigInt(kind.subwalletId);
  return null;
}

/**
 * recv_external of wallet v4R2: validates an external message (throws ExternalRejectedError when the wallet would
 * not accept it; nothing is charged), then runs its actions and the whole trace they cause.
 */
export function executeWalletExternal(exec: TonExecution, cell: Cell): SimTx[] {
  let message;
  try {
    message = loadMessage(cell.beginParse());
  } catch {
    throw new ExternalRejectedError(null, 'not a message');
  }
  if (message.info.type !== 'external-in')
    throw new ExternalRejectedError(null, 'only inbound external messages can be sent');
  const dest = message.info.dest.toRawString();
  const account = exec.accounts.get(dest);
  if (!account || account.balance === 0n) {
    throw new ExternalRejectedError(
      null,
      `cannot apply external message to current state: account ${dest} has no balance to pay for gas`,
    );
  }
  let key: { publicKey: string; seqno: number; subwalletId: number };
  let init: StateInit | null = null;
  if (account.status === 'active') {
    if (account.kind.type !== 'wallet')
      throw new ExternalRejectedError(null, `account ${dest} does not accept external messages`);
    key = account.kind;
  } else {
    init = message.init ?? null;
    if (!init?.code || !init.data)
      throw new ExternalRejectedError(null, `account ${dest} is not initialized and the message carries no StateInit`);
    if (init.code.hash().toString('hex') !== V4R2_CODE_HASH)
      throw new ExternalRejectedError(null, 'StateInit code is not wallet v4R2');
    if (!contractAddress(0, init).equals(message.info.dest))
      throw new ExternalRejectedError(null, 'StateInit does not hash to the destination address');
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
  if (validUntil <= exec.now())
    throw new ExternalRejectedError(
      36,
      `exitcode=36: message expired (valid_until ${validUntil} <= now ${exec.now()})`,
    );
  if (seqno !== key.seqno)
    throw new ExternalRejectedError(33, `exitcode=33: seqno ${seqno} does not match the wallet's ${key.seqno}`);
  if (subwalletId !== key.subwalletId)
    throw new ExternalRejectedError(34, `exitcode=34: subwallet id ${subwalletId} is not ${key.subwalletId}`);
  if (!ed25519.verify(signature, signingHash, hex.decode(key.publicKey))) {
    throw new ExternalRejectedError(35, 'exitcode=35: signature does not match the wallet public key');
  }
  if (account.balance < exec.fees.walletGas)
    throw new ExternalRejectedError(-14, 'exitcode=-14: not enough balance to pay for gas');

  // accept_message(): from here the wallet pays and the message is in the chain.
  const inMsg = exec.external(
    cell,
    dest,
    message.body,
    init ? beginCell().store(storeStateInit(init)).endCell() : null,
  );
  const tx = exec.tx(dest, account, inMsg, null, {});
  const previous = { status: account.status, kind: account.kind };
  if (account.status !== 'active') {
    account.status = 'active';
    account.kind = { type: 'wallet', publicKey: key.publicKey, seqno: key.seqno, subwalletId: key.subwalletId };
  }
  account.balance -= exec.fees.walletGas;
  tx.totalFees = exec.fees.walletGas;
  const wallet = account.kind as Extract<AccountKind, { type: 'wallet' }>;

  const op = body.remainingBits >= 8 ? body.loadUint(8) : -1;
  const sends: Array<{ mode: number; out: Outgoing }> = [];
  if (op === 0) {
    while (body.remainingRefs > 0 && body.remainingBits >= 8) {
      const mode = body.loadUint(8);
      const relaxed = loadMessageRelaxed(body.loadRef().beginParse());
      if (relaxed.info.type !== 'internal') continue;
      sends.push({
        mode,
        out: {
          to: relaxed.info.dest.toRawString(),
          value: relaxed.info.value.coins,
          bounce: relaxed.info.bounce,
          body: relaxed.body,
        },
      });
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
    const cost = all ? balance : separate ? out.value + exec.fees.forward : out.value;
    const value = all ? balance - exec.fees.forward : separate ? out.value : out.value - exec.fees.forward;
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
    exec.finish(tx, account);
    return [tx];
  }
  wallet.seqno += 1;
  account.balance = balance;
  tx.totalFees += BigInt(planned.length) * exec.fees.forward;
  tx.outMsgs = planned.map((out) => exec.internal(dest, out));
  exec.finish(tx, account);
  return [tx, ...exec.deliverAll(tx.outMsgs, tx.traceId)];
}
