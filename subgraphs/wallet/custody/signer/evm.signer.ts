import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Signature, Transaction, getBytes } from 'ethers';
import { evmAddressFromPublicKey, validateAddress } from '../../../../chains/address.js';
import { withPrivateKey, type CustodyBranch } from '../derivation.js';
import type { EvmNetwork } from '../../../../chains/network.js';

const UINT256_MAX = (1n << 256n) - 1n;
/** transfer(address,uint256) */
const ERC20_TRANSFER_SELECTOR = 'a9059cbb';

export type EvmFee =
  { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { type: 'legacy'; gasPrice: bigint };

export type EvmTransfer =
  /** Native coin (ETH, BNB), amount in wei. */
  | { asset: 'native'; to: string; amount: bigint }
  /** ERC20/BEP20 `transfer(to, amount)` on `token`, amount in the token's minor unit. */
  | { asset: 'token'; token: string; to: string; amount: bigint };

export interface EvmSignRequest {
  network: EvmNetwork;
  /** Custody index of the sending wallet. */
  index: number;
  /** Which key family `index` names; default the users' deposit addresses. */
  branch?: CustodyBranch;
  chainId: bigint;
  nonce: number;
  gasLimit: bigint;
  fee: EvmFee;
  transfer: EvmTransfer;
}

export interface SignedEvmTransaction {
  from: string;
  /** keccak256 of the signed serialization: the transaction hash the chain will report. */
  hash: string;
  /** 0x-prefixed signed serialization for eth_sendRawTransaction. */
  rawTransaction: string;
}

export class EvmSignRequestError extends Error {
  readonly code = 'INVALID_SIGN_REQUEST';
  constructor(detail: string) {
    super(`EVM sign request: ${detail}`);
    this.name = 'EvmSignRequestError';
  }
}

function requireAddress(network: EvmNetwork, address: string, field: string): string {
  const check = validateAddress(network, address);
  if (!check.valid || check.normalized === null)
    throw new EvmSignRequestError(`${field}: ${check.reason ?? 'invalid'}`);
  return check.normalized;
}

function requireUint(value: bigint, field: string, { positive }: { positive: boolean }): void {
  if (typeof value !== 'bigint' || value < (positive ? 1n : 0n) || value > UINT256_MAX) {
    throw new EvmSignRequestError(`${field} must be a bigint in [${positive ? 1 : 0}, 2^256)`);
  }
}

/** ABI call data of ERC20 `transfer(address,uint256)`. */
export function encodeErc20Transfer(to: string, amount: bigint): string {
  requireUint(amount, 'amount', { positive: true });
  const account = to.toLowerCase().replace(/^0x/u, '');
  if (!/^[0-9a-f]{40}$/u.test(account)) throw new EvmSignRequestError('to must be a 20-byte hex address');
  return '0x' + ERC20_TRANSFER_SELECTOR + account.padStart(64, '0') + amount.toString(16).padStart(64, '0');
}

function unsignedTransaction(req: EvmSignRequest): Transaction {
  requireUint(req.chainId, 'chainId', { positive: true });
  requireUint(req.gasLimit, 'gasLimit', { positive: true });
  if (!Number.isSafeInteger(req.nonce) || req.nonce < 0)
    throw new EvmSignRequestError('nonce must be a non-negative integer');
  const tx = new Transaction();
  tx.chainId = req.chainId;
  tx.nonce = req.nonce;
  tx.gasLimit = req.gasLimit;
  if (req.fee.type === 'eip1559') {
    requireUint(req.fee.maxFeePerGas, 'maxFeePerGas', { positive: true });
    requireUint(req.fee.maxPriorityFeePerGas, 'maxPriorityFeePerGas', { positive: false });
    if (req.fee.maxPriorityFeePerGas > req.fee.maxFeePerGas) {
      throw new EvmSignRequestError('maxPriorityFeePerGas must not exceed maxFeePerGas');
    }
    tx.type = 2;
    tx.maxFeePerGas = req.fee.maxFeePerGas;
    tx.maxPriorityFeePerGas = req.fee.maxPriorityFeePerGas;
  } else if (req.fee.type === 'legacy') {
    requireUint(req.fee.gasPrice, 'gasPrice', { positive: true });
    tx.type = 0; // EIP-155: chainId goes into v
    tx.gasPrice = req.fee.gasPrice;
  } else {
    throw new EvmSignRequestError('fee.type must be eip1559 or legacy');
  }
  const { transfer } = req;
  if (transfer.asset === 'native') {
    requireUint(transfer.amount, 'amount', { positive: true });
    tx.to = requireAddress(req.network, transfer.to, 'to');
    tx.value = transfer.amount;
    tx.data = '0x';
  } else if (transfer.asset === 'token') {
    tx.to = requireAddress(req.network, transfer.token, 'token');
    tx.value = 0n;
    tx.data = encodeErc20Transfer(requireAddress(req.network, transfer.to, 'to'), transfer.amount);
  } else {
    throw new EvmSignRequestError('transfer.asset must be native or token');
  }
  return tx;
}

/**
 * Builds and signs an ETH/BSC transfer with the key of custody index `req.index`. The key is
 * derived for this call only and zeroed before it returns. The result is self-checked: the
 * sender recovered from the signature must be the wallet's address.
 */
export async function signEvmTransfer(seed: Uint8Array, req: EvmSignRequest): Promise<SignedEvmTransaction> {
  const tx = unsignedTransaction(req);
  const digest = getBytes(tx.unsignedHash);
  return withPrivateKey(
    seed,
    req.network,
    req.index,
    ({ privateKey, publicKey }) => {
      const from = evmAddressFromPublicKey(publicKey);
      const sig = secp256k1.Signature.fromBytes(
        secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered', lowS: true }),
        'recovered',
      );
      if (sig.recovery === undefined) throw new Error('signature has no recovery id');
      tx.signature = Signature.from({
        r: '0x' + sig.r.toString(16).padStart(64, '0'),
        s: '0x' + sig.s.toString(16).padStart(64, '0'),
        yParity: sig.recovery === 1 ? 1 : 0,
      });
      if (tx.from !== from) throw new Error('EVM signature self-check failed: recovered sender differs');
      const hash = tx.hash;
      if (hash === null) throw new Error('signed transaction has no hash');
      return { from, hash, rawTransaction: tx.serialized };
    },
    req.branch,
  );
}
