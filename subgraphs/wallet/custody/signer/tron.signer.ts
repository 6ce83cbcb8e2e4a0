import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { decodeTronAddress, tronAddressFromPublicKey, validateAddress } from '../../../../chains/address.js';
import { withPrivateKey, type CustodyBranch } from '../derivation.js';
import { ProtoWriter } from './tron.protobuf.js';
import type {
  TronBroadcastTransaction,
  TronRawDataJson,
  UnsignedTronTransaction,
} from '../../../../chains/tron-transaction.js';

export type { TronBroadcastTransaction, TronRawDataJson, UnsignedTronTransaction };

/** Contract.ContractType values and Any type URLs from java-tron core/Tron.proto. */
const TRANSFER_CONTRACT = 1;
const TRIGGER_SMART_CONTRACT = 31;
const TYPE_URL_PREFIX = 'type.googleapis.com/protocol.';
/** transfer(address,uint256) */
const TRC20_TRANSFER_SELECTOR = 'a9059cbb';
const MAX_EXPIRATION_MS = 24 * 60 * 60 * 1000;
const DEFAULT_EXPIRATION_MS = 60 * 1000;
const UINT256_MAX = (1n << 256n) - 1n;

export interface TronRefBlock {
  /** Height of a recent block (TronGrid `block_header.raw_data.number`). */
  number: bigint | number;
  /** Its 32-byte block id, hex (TronGrid `blockID`). */
  hash: string;
}

export type TronTransfer =
  /** TRX in sun (1 TRX = 10^6 sun): TransferContract. */
  | { asset: 'native'; to: string; amount: bigint }
  /** TRC20 `transfer(to, amount)` on `contract`: TriggerSmartContract, burning at most `feeLimit` sun. */
  | { asset: 'token'; contract: string; to: string; amount: bigint; feeLimit: bigint };

export interface TronSignRequest {
  /** Custody index of the sending wallet. */
  index: number;
  /** Which key family `index` names; default the users' deposit addresses. */
  branch?: CustodyBranch;
  refBlock: TronRefBlock;
  transfer: TronTransfer;
  /** Milliseconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Milliseconds since the epoch; defaults to timestamp + 60 s; at most timestamp + 24 h. */
  expiration?: number;
}

export class TronSignRequestError extends Error {
  readonly code = 'INVALID_SIGN_REQUEST';
  constructor(detail: string) {
    super(`TRON sign request: ${detail}`);
    this.name = 'TronSignRequestError';
  }
}

function requireTron(address: string, field: string): Uint8Array {
  const check = validateAddress('TRON', address);
  if (!check.valid) throw new TronSignRequestError(`${field}: ${check.reason ?? 'invalid'}`);
  return decodeTronAddress(address);
}

/** JSON carries numbers: refuse anything a JavaScript number cannot hold exactly. */
function jsonSafe(value: bigint, field: string): number {
  if (value < 1n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new TronSignRequestError(`${field} must be in [1, 2^53)`);
  }
  return Number(value);
}

function requireMs(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new TronSignRequestError(`${field} must be a positive integer (ms)`);
  return value;
}

function refBlockFields(refBlock: TronRefBlock): { refBlockBytes: Uint8Array; refBlockHash: Uint8Array } {
  const height = BigInt(refBlock.number);
  if (height < 0n || height >= 1n << 63n) throw new TronSignRequestError('refBlock.number out of range');
  if (!/^[0-9a-fA-F]{64}$/u.test(refBlock.hash))
    throw new TronSignRequestError('refBlock.hash must be 32 bytes of hex');
  const heightBytes = new Uint8Array(8);
  new DataView(heightBytes.buffer).setBigUint64(0, height, false);
  return {
    refBlockBytes: heightBytes.slice(6, 8),
    refBlockHash: hex.decode(refBlock.hash.toLowerCase()).slice(8, 16),
  };
}

function trc20TransferData(to: Uint8Array, amount: bigint): Uint8Array {
  if (amount < 1n || amount > UINT256_MAX) throw new TronSignRequestError('amount must be in [1, 2^256)');
  // The ABI address is the 20-byte account, without TRON's 0x41 prefix.
  return hex.decode(
    TRC20_TRANSFER_SELECTOR + hex.encode(to.subarray(1)).padStart(64, '0') + amount.toString(16).padStart(64, '0'),
  );
}

/**
 * Builds an unsigned TRON transfer offline: Transaction.raw as protobuf, txID = sha256(raw).
 * `owner` is the sending `T…` address.
 */
export function buildTronTransaction(
  owner: string,
  req: Omit<TronSignRequest, 'index' | 'branch'>,
): UnsignedTronTransaction {
  const ownerBytes = requireTron(owner, 'owner');
  const { refBlockBytes, refBlockHash } = refBlockFields(req.refBlock);
  const timestamp = requireMs(req.timestamp ?? Date.now(), 'timestamp');
  const expiration = requireMs(req.expiration ?? timestamp + DEFAULT_EXPIRATION_MS, 'expiration');
  if (expiration <= timestamp || expiration > timestamp + MAX_EXPIRATION_MS) {
    throw new TronSignRequestError('expiration must be after timestamp and at most 24 h later');
  }

  const { transfer } = req;
  let contractType: number;
  let parameter: ProtoWriter;
  let contractJson: TronRawDataJson['contract'][0];
  let feeLimit: number | undefined;
  if (transfer.asset === 'native') {
    const to = requireTron(transfer.to, 'to');
    const amount = jsonSafe(transfer.amount, 'amount');
    contractType = TRANSFER_CONTRACT;
    // TransferContract { bytes owner_address = 1; bytes to_address = 2; int64 amount = 3; }
    parameter = new ProtoWriter().bytes(1, ownerBytes).bytes(2, to).int64(3, amount);
    contractJson = {
      parameter: {
        value: { amount, owner_address: hex.encode(ownerBytes), to_address: hex.encode(to) },
        type_url: TYPE_URL_PREFIX + 'TransferContract',
      },
      type: 'TransferContract',
    };
  } else if (transfer.asset === 'token') {
    const contract = requireTron(transfer.contract, 'contract');
    const data = trc20TransferData(requireTron(transfer.to, 'to'), transfer.amount);
    feeLimit = jsonSafe(transfer.feeLimit, 'feeLimit');
    contractType = TRIGGER_SMART_CONTRACT;
    // TriggerSmartContract { bytes owner_address = 1; bytes contract_address = 2; int64 call_value = 3; bytes data = 4; ... }
    parameter = new ProtoWriter().bytes(1, ownerBytes).bytes(2, contract).bytes(4, data);
    contractJson = {
      parameter: {
        value: {
          data: hex.encode(data),
          owner_address: hex.encode(ownerBytes),
          contract_address: hex.encode(contract),
        },
        type_url: TYPE_URL_PREFIX + 'TriggerSmartContract',
      },
      type: 'TriggerSmartContract',
    };
  } else {
    throw new TronSignRequestError('transfer.asset must be native or token');
  }

  // Any { string type_url = 1; bytes value = 2; }
  const any = new ProtoWriter().string(1, contractJson.parameter.type_url).message(2, parameter);
  // Contract { ContractType type = 1; google.protobuf.Any parameter = 2; }
  const contractMsg = new ProtoWriter().int64(1, contractType).message(2, any);
  // raw { ref_block_bytes = 1; ref_block_hash = 4; expiration = 8; contract = 11; timestamp = 14; fee_limit = 18; }
  const raw = new ProtoWriter()
    .bytes(1, refBlockBytes)
    .bytes(4, refBlockHash)
    .int64(8, expiration)
    .message(11, contractMsg)
    .int64(14, timestamp);
  if (feeLimit !== undefined) raw.int64(18, feeLimit);
  const rawBytes = raw.finish();

  const rawData: TronRawDataJson = {
    contract: [contractJson],
    ref_block_bytes: hex.encode(refBlockBytes),
    ref_block_hash: hex.encode(refBlockHash),
    expiration,
    timestamp,
    ...(feeLimit !== undefined ? { fee_limit: feeLimit } : {}),
  };
  return { visible: false, txID: hex.encode(sha256(rawBytes)), raw_data: rawData, raw_data_hex: hex.encode(rawBytes) };
}

/** The `T…` address whose key produced `signature` (65 bytes hex, r‖s‖v) over `txID`. */
export function recoverTronSigner(txID: string, signature: string): string {
  if (!/^[0-9a-fA-F]{130}$/u.test(signature)) throw new Error('TRON signature must be 65 bytes of hex');
  const bytes = hex.decode(signature.toLowerCase());
  const v = bytes[64]!;
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) throw new Error('TRON signature has an invalid recovery byte');
  const sig = secp256k1.Signature.fromBytes(bytes.subarray(0, 64), 'compact').addRecoveryBit(recovery);
  const publicKey = sig.recoverPublicKey(hex.decode(txID.toLowerCase())).toBytes(true);
  return tronAddressFromPublicKey(publicKey);
}

/**
 * Builds and signs a TRX or TRC20 transfer from custody index `req.index`, offline. Signature:
 * secp256k1 over txID, 65 bytes r‖s‖v with v = 27 + recovery id (as TronWeb; java-tron accepts
 * 0/1 and 27/28). Self-checked: the signature must recover to the wallet's address.
 */
export async function signTronTransfer(
  seed: Uint8Array,
  req: TronSignRequest,
): Promise<TronBroadcastTransaction & { from: string }> {
  return withPrivateKey(
    seed,
    'TRON',
    req.index,
    ({ privateKey, publicKey }) => {
      const from = tronAddressFromPublicKey(publicKey);
      const unsigned = buildTronTransaction(from, req);
      const recovered = secp256k1.sign(hex.decode(unsigned.txID), privateKey, {
        prehash: false,
        format: 'recovered',
        lowS: true,
      });
      // noble's recovered format is recovery ‖ r ‖ s; TRON wants r ‖ s ‖ v.
      const signature = new Uint8Array(65);
      signature.set(recovered.subarray(1, 65), 0);
      signature[64] = 27 + recovered[0]!;
      const signatureHex = hex.encode(signature);
      if (recoverTronSigner(unsigned.txID, signatureHex) !== from) {
        throw new Error('TRON signature self-check failed: recovered signer differs');
      }
      return { ...unsigned, signature: [signatureHex], from };
    },
    req.branch,
  );
}
