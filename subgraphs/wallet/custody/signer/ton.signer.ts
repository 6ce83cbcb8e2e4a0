import { ed25519 } from '@noble/curves/ed25519.js';
import {
  Address,
  beginCell,
  type Cell,
  comment,
  external,
  internal,
  storeMessage,
  storeMessageRelaxed,
} from '@ton/core';
import { decodeTonAddress, encodeTonAddress, validateAddress } from '../../../../chains/address.js';
import { withPrivateKey, type CustodyBranch } from '../derivation.js';
import {
  TON_WALLET_V4R2_SUBWALLET_ID,
  TON_WALLET_WORKCHAIN,
  walletV4R2AccountHash,
  walletV4R2StateInit,
} from '../../../../chains/ton-wallet.js';

/** TEP-74 jetton `transfer` op. */
export const JETTON_TRANSFER_OP = 0x0f8a7ea5;
/** v4 wallet op 0: simple send. */
const WALLET_V4_OP_SIMPLE_SEND = 0;
/** PAY_GAS_SEPARATELY (1) + IGNORE_ERRORS (2): the wallet's usual mode. */
export const DEFAULT_TON_SEND_MODE = 3;
const UINT32_MAX = 0xffff_ffff;
const COINS_MAX = (1n << 120n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

export type TonTransfer =
  | {
      asset: 'native';
      to: string;
      /** nanotons. */
      amount: bigint;
      /** Defaults to the address's own flag: EQ… bounceable, UQ… and raw non-bounceable. */
      bounce?: boolean;
      /** Text comment (op 0), e.g. an exchange deposit memo. */
      comment?: string;
    }
  | {
      asset: 'jetton';
      /** The SENDER's jetton wallet for this jetton (its owner is our v4R2 wallet). */
      jettonWallet: string;
      /** Recipient's main (owner) address; its jetton wallet is found by the jetton contracts. */
      to: string;
      /** Jetton amount in the jetton's minor unit. */
      amount: bigint;
      /** nanotons attached to the message to our jetton wallet, paying gas and forwards. */
      attachedTon: bigint;
      /** nanotons forwarded to the recipient with transfer_notification; default 1. */
      forwardTonAmount?: bigint;
      /** Where excess TON returns; default the sending wallet. */
      responseDestination?: string;
      queryId?: bigint;
      /** Text comment carried as forward_payload. */
      forwardComment?: string;
    };

export interface TonSignRequest {
  /** Custody index of the sending wallet. */
  index: number;
  /** Which key family `index` names; default the users' deposit addresses. */
  branch?: CustodyBranch;
  /** The wallet's current seqno (0 for a wallet never used: the message then deploys it). */
  seqno: number;
  /** Unix time (seconds) after which the wallet rejects the message. */
  validUntil: number;
  transfer: TonTransfer;
  sendMode?: number;
}

export interface SignedTonMessage {
  /** The sending wallet, non-bounceable `UQ…`. */
  from: string;
  /** Base64 BOC of the external-in message, ready for toncenter `sendBoc`. */
  boc: string;
  /** Representation hash (hex) of the external message cell. */
  messageHash: string;
}

export class TonSignRequestError extends Error {
  readonly code = 'INVALID_SIGN_REQUEST';
  constructor(detail: string) {
    super(`TON sign request: ${detail}`);
    this.name = 'TonSignRequestError';
  }
}

function requireTon(address: string, field: string): { address: Address; bounceable: boolean } {
  const check = validateAddress('TON', address);
  if (!check.valid) throw new TonSignRequestError(`${field}: ${check.reason ?? 'invalid'}`);
  const parts = decodeTonAddress(address);
  return { address: new Address(parts.workchain, Buffer.from(parts.hash)), bounceable: parts.bounceable };
}

function requireCoins(value: bigint, field: string, min: bigint): bigint {
  if (typeof value !== 'bigint' || value < min || value > COINS_MAX) {
    throw new TonSignRequestError(`${field} must be a bigint in [${min}, 2^120)`);
  }
  return value;
}

function requireUint32(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new TonSignRequestError(`${field} must be an integer in [0, 2^32)`);
  }
  return value;
}

/** TEP-74 `transfer` body sent to the sender's jetton wallet. */
export function jettonTransferBody(args: {
  queryId: bigint;
  amount: bigint;
  destination: Address;
  responseDestination: Address;
  forwardTonAmount: bigint;
  forwardPayload: Cell | null;
}): Cell {
  if (args.queryId < 0n || args.queryId > UINT64_MAX) throw new TonSignRequestError('queryId must fit in 64 bits');
  const body = beginCell()
    .storeUint(JETTON_TRANSFER_OP, 32)
    .storeUint(args.queryId, 64)
    .storeCoins(args.amount)
    .storeAddress(args.destination)
    .storeAddress(args.responseDestination)
    .storeBit(0) // no custom_payload
    .storeCoins(args.forwardTonAmount);
  // forward_payload: Either Cell ^Cell; a comment goes by reference, nothing is an empty inline slice.
  if (args.forwardPayload) body.storeBit(1).storeRef(args.forwardPayload);
  else body.storeBit(0);
  return body.endCell();
}

function outgoingMessage(transfer: TonTransfer, wallet: Address) {
  if (transfer.asset === 'native') {
    const to = requireTon(transfer.to, 'to');
    return internal({
      to: to.address,
      value: requireCoins(transfer.amount, 'amount', 1n),
      bounce: transfer.bounce ?? to.bounceable,
      body: transfer.comment !== undefined ? comment(transfer.comment) : null,
    });
  }
  if (transfer.asset === 'jetton') {
    const jettonWallet = requireTon(transfer.jettonWallet, 'jettonWallet');
    const destination = requireTon(transfer.to, 'to');
    const response =
      transfer.responseDestination !== undefined
        ? requireTon(transfer.responseDestination, 'responseDestination').address
        : wallet;
    const forwardTonAmount = requireCoins(transfer.forwardTonAmount ?? 1n, 'forwardTonAmount', 0n);
    const attachedTon = requireCoins(transfer.attachedTon, 'attachedTon', 1n);
    if (attachedTon <= forwardTonAmount)
      throw new TonSignRequestError('attachedTon must exceed forwardTonAmount (gas)');
    return internal({
      to: jettonWallet.address,
      value: attachedTon,
      bounce: true, // a jetton wallet is a contract: return the TON if it refuses
      body: jettonTransferBody({
        queryId: transfer.queryId ?? 0n,
        amount: requireCoins(transfer.amount, 'amount', 1n),
        destination: destination.address,
        responseDestination: response,
        forwardTonAmount,
        forwardPayload: transfer.forwardComment !== undefined ? comment(transfer.forwardComment) : null,
      }),
    });
  }
  throw new TonSignRequestError('transfer.asset must be native or jetton');
}

/** The signing message of a v4R2 wallet external message, and what wraps it. */
function signingParts(publicKey: Uint8Array, req: Omit<TonSignRequest, 'index' | 'branch'>) {
  const seqno = requireUint32(req.seqno, 'seqno');
  const validUntil = requireUint32(req.validUntil, 'validUntil');
  const sendMode = requireUint32(req.sendMode ?? DEFAULT_TON_SEND_MODE, 'sendMode');
  if (sendMode > 0xff) throw new TonSignRequestError('sendMode must fit in 8 bits');
  const accountHash = walletV4R2AccountHash(publicKey);
  const wallet = new Address(TON_WALLET_WORKCHAIN, Buffer.from(accountHash));
  const message = outgoingMessage(req.transfer, wallet);
  const signingMessage = beginCell()
    .storeUint(TON_WALLET_V4R2_SUBWALLET_ID, 32)
    .storeUint(validUntil, 32)
    .storeUint(seqno, 32)
    .storeUint(WALLET_V4_OP_SIMPLE_SEND, 8)
    .storeUint(sendMode, 8)
    .storeRef(beginCell().store(storeMessageRelaxed(message)))
    .endCell();
  return {
    accountHash,
    wallet,
    signingMessage,
    init: seqno === 0 ? walletV4R2StateInit(publicKey) : null,
  };
}

function bodyOf(signature: Uint8Array, signingMessage: Cell): Cell {
  return beginCell().storeBuffer(Buffer.from(signature)).storeSlice(signingMessage.beginParse()).endCell();
}

/**
 * The external message body `req` would carry, with an all-zero signature, for fee estimation (toncenter
 * `estimateFee` with `ignore_chksig`): no key is involved, so nothing that could be broadcast leaves the process.
 * `initCode`/`initData` are set when the message would deploy the wallet (seqno 0).
 */
export function unsignedTonTransfer(
  publicKey: Uint8Array,
  req: Omit<TonSignRequest, 'index' | 'branch'>,
): { from: string; body: string; initCode: string | null; initData: string | null } {
  const parts = signingParts(publicKey, req);
  return {
    from: encodeTonAddress({ workchain: TON_WALLET_WORKCHAIN, hash: parts.accountHash }),
    body: bodyOf(new Uint8Array(64), parts.signingMessage).toBoc().toString('base64'),
    initCode: parts.init?.code?.toBoc().toString('base64') ?? null,
    initData: parts.init?.data?.toBoc().toString('base64') ?? null,
  };
}

/**
 * Signs an external message for the v4R2 wallet of custody index `req.index`:
 * subwallet_id, valid_until, seqno, op 0 (simple send), one (mode, ^message). With seqno 0 the
 * StateInit is attached so the same message deploys the wallet.
 */
export async function signTonTransfer(seed: Uint8Array, req: TonSignRequest): Promise<SignedTonMessage> {
  return withPrivateKey(
    seed,
    'TON',
    req.index,
    ({ privateKey, publicKey }) => {
      const { accountHash, wallet, signingMessage, init } = signingParts(publicKey, req);
      const digest = signingMessage.hash();
      const signature = ed25519.sign(digest, privateKey);
      if (!ed25519.verify(signature, digest, publicKey)) throw new Error('TON signature self-check failed');
      const ext = external({ to: wallet, init, body: bodyOf(signature, signingMessage) });
      const cell = beginCell().store(storeMessage(ext)).endCell();
      return {
        from: encodeTonAddress({ workchain: TON_WALLET_WORKCHAIN, hash: accountHash }),
        boc: cell.toBoc().toString('base64'),
        messageHash: cell.hash().toString('hex'),
      };
    },
    req.branch,
  );
}
