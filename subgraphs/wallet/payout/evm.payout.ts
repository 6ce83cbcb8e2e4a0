import { Transaction } from 'ethers';
import type { EvmNetwork } from '../../../chains/network.js';
import { assetInfo, nativeAssetOf } from '../../../platform/money/assets.js';
import type { Logger } from '../../../platform/logger.js';
import { EvmRpcError, type EvmRpcClient } from '../../../providers/evm-rpc/index.js';
import { encodeErc20Transfer, signEvmTransfer, type EvmTransfer } from '../custody/index.js';
import { PayoutError } from './payout.errors.js';
import type { PayoutKeys } from './payout.keys.js';
import type { ChainPayout, FeeQuote, PayoutRequest, PayoutStatus, SignedPayout } from './payout.port.js';
import type { SequenceAllocator } from './sequence.allocator.js';

const NATIVE_TRANSFER_GAS = 21_000n;
/**
 * A replacement must raise both fee caps: geth's txpool (PriceBump) wants +10%, other clients more; the floor here is
 * +12.5%, which every common client accepts.
 */
const MIN_REPLACE_BUMP_BPS = 1_250n;

export interface EvmPayoutSettings {
  network: EvmNetwork;
  /** EIP-155 chain id the signatures commit to; null: asked from the node once. */
  chainId: bigint | null;
  /** Blocks on top of (and including) the transaction's block before it is CONFIRMED. */
  confirmations: number;
  /** The USDT ERC20/BEP20 contract (0x…). */
  usdtContract: string;
  /** maxFeePerGas = next base fee × this / 100 + priority fee (200: survives six full blocks of base-fee rise). */
  baseFeeMultiplierPercent: number;
  /** Floor of the priority fee (tip), wei. */
  minPriorityFeeWei: bigint;
  /** Gas limit = estimate × this / 100 for contract calls (a plain transfer to an account is exactly 21 000). */
  gasMarginPercent: number;
  /** A replacement raises both fee caps by at least this, in basis points (≥ 1 250 = 12.5%). */
  replaceBumpBps: number;
}

export interface EvmPayoutDeps {
  rpc: EvmRpcClient;
  keys: PayoutKeys;
  sequences: SequenceAllocator;
  log: Logger;
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

function detailBigint(quote: FeeQuote, field: string, network: EvmNetwork): bigint {
  const value = quote.detail[field];
  if (value === undefined || !/^\d+$/u.test(value))
    throw new PayoutError('PAYOUT_INVALID', network, `quote has no ${field}: quote it with this payout's quoteFee`);
  return BigInt(value);
}

/**
 * ETH and BSC payouts (native coin and the USDT token) over JSON-RPC, EIP-1559 type-2 transactions.
 *
 * - Fees: `eth_feeHistory` over the last 5 blocks — the next block's base fee and the median priority fee (floored
 *   by `minPriorityFeeWei`) — and `eth_estimateGas` for the exact call; maxFee = gas limit × maxFeePerGas.
 * - Nonces: allocated durably per (network, address) by `SequenceAllocator` (reconciled with the pending count).
 * - Replacement: the same nonce and gas limit with both fee caps raised by ≥ `replaceBumpBps` (and at least the
 *   current quote); every version has its own hash, all share the reference.
 */
export class EvmChainPayout implements ChainPayout {
  readonly network: EvmNetwork;
  private chainId: bigint | null;

  constructor(
    private readonly settings: EvmPayoutSettings,
    private readonly deps: EvmPayoutDeps,
  ) {
    this.network = settings.network;
    this.chainId = settings.chainId;
    if (BigInt(settings.replaceBumpBps) < MIN_REPLACE_BUMP_BPS)
      throw new RangeError(`replaceBumpBps must be at least ${MIN_REPLACE_BUMP_BPS} (12.5%)`);
  }

  hotAddress(): Promise<string> {
    return this.deps.keys.address(this.network, { kind: 'hot' });
  }

  async quoteFee(request: PayoutRequest): Promise<FeeQuote> {
    const transfer = this.transferOf(request);
    const from = await this.deps.keys.address(this.network, request.from);
    const { rpc } = this.deps;
    const [history, estimate] = await Promise.all([
      rpc.feeHistory(5, 'latest', [50]),
      this.estimateGas(from, transfer),
    ]);
    const baseFee = history.baseFeePerGas[history.baseFeePerGas.length - 1]!;
    const tips = history.reward.map((r) => r[0]!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const medianTip = tips.length > 0 ? tips[Math.floor(tips.length / 2)]! : 0n;
    const priority = medianTip > this.settings.minPriorityFeeWei ? medianTip : this.settings.minPriorityFeeWei;
    const maxFeePerGas = (baseFee * BigInt(this.settings.baseFeeMultiplierPercent)) / 100n + priority;
    const gasLimit =
      estimate === NATIVE_TRANSFER_GAS ? estimate : ceilDiv(estimate * BigInt(this.settings.gasMarginPercent), 100n);
    return {
      network: this.network,
      feeAsset: nativeAssetOf(this.network).symbol,
      maxFee: gasLimit * maxFeePerGas,
      expectedFee: estimate * (baseFee + priority),
      detail: {
        from,
        gasEstimate: estimate.toString(),
        gasLimit: gasLimit.toString(),
        baseFeePerGas: baseFee.toString(),
        maxFeePerGas: maxFeePerGas.toString(),
        maxPriorityFeePerGas: priority.toString(),
        feeHistoryOldestBlock: history.oldestBlock.toString(),
      },
    };
  }

  async sign(request: PayoutRequest, quote: FeeQuote): Promise<SignedPayout> {
    if (quote.network !== this.network)
      throw new PayoutError('PAYOUT_INVALID', this.network, `quote is for ${quote.network}`);
    const transfer = this.transferOf(request);
    const gasLimit = detailBigint(quote, 'gasLimit', this.network);
    const maxFeePerGas = detailBigint(quote, 'maxFeePerGas', this.network);
    const maxPriorityFeePerGas = detailBigint(quote, 'maxPriorityFeePerGas', this.network);
    const from = await this.deps.keys.address(this.network, request.from);
    const pending = await this.deps.rpc.getTransactionCount(from, 'pending');
    const { sequence } = await this.deps.sequences.allocateNonce(this.network, from, request.reference, pending);
    const signed = await this.signAt(request, transfer, sequence, gasLimit, maxFeePerGas, maxPriorityFeePerGas);
    this.deps.log.info(
      { network: this.network, reference: request.reference, from, nonce: sequence.toString(), txHash: signed.txHash },
      'payout signed',
    );
    return signed;
  }

  async broadcast(signed: SignedPayout): Promise<void> {
    this.assertOwn(signed);
    try {
      const hash = await this.deps.rpc.sendRawTransaction(signed.raw);
      if (hash !== signed.txHash.toLowerCase())
        throw new PayoutError('PAYOUT_REJECTED', this.network, `node reports hash ${hash}, expected ${signed.txHash}`);
    } catch (err) {
      if (!(err instanceof EvmRpcError)) throw err;
      if (err.reason === 'already-known') return;
      if (err.reason === 'nonce-too-low') {
        // Already included (a second broadcast), or the nonce went to a sibling: only the first is success.
        if (await this.deps.rpc.getTransactionReceipt(signed.txHash)) return;
        throw new PayoutError(
          'PAYOUT_SEQUENCE_USED',
          this.network,
          `nonce ${String(signed.sequence)} of ${signed.from} is used by another transaction (a replaced sibling?): ask status() of each version`,
          { cause: err },
        );
      }
      if (err.reason === 'insufficient-funds')
        throw new PayoutError('PAYOUT_WOULD_FAIL', this.network, `${signed.from} cannot pay: ${err.rpcMessage}`, {
          cause: err,
        });
      if (err.reason === 'underpriced')
        throw new PayoutError('PAYOUT_REJECTED', this.network, `fee too low: ${err.rpcMessage}`, { cause: err });
      throw err;
    }
  }

  async status(signed: SignedPayout): Promise<PayoutStatus> {
    this.assertOwn(signed);
    const { rpc } = this.deps;
    const receipt = await rpc.getTransactionReceipt(signed.txHash);
    const head = await rpc.blockNumber();
    if (receipt) {
      const confirmations = Number(head >= receipt.blockNumber ? head - receipt.blockNumber + 1n : 0n);
      const final = confirmations >= this.settings.confirmations;
      const fee = receipt.gasUsed * (receipt.effectiveGasPrice ?? 0n);
      const state = !final ? 'PENDING' : receipt.status === 'reverted' ? 'FAILED' : 'CONFIRMED';
      return { state, confirmations, fee, blockNumber: receipt.blockNumber };
    }
    if (signed.sequence === null) throw new PayoutError('PAYOUT_INVALID', this.network, 'EVM payout without a nonce');
    const used = await rpc.getTransactionCount(signed.from, 'latest');
    if (used > signed.sequence) {
      // Another transaction with this nonce (a replacement) was mined. FAILED once that is final, else UNKNOWN.
      const finalHeight = head - BigInt(this.settings.confirmations) + 1n;
      const usedFinal = finalHeight >= 0n ? await rpc.getTransactionCount(signed.from, finalHeight) : 0n;
      return {
        state: usedFinal > signed.sequence ? 'FAILED' : 'UNKNOWN',
        confirmations: 0,
        fee: null,
        blockNumber: null,
      };
    }
    const pending = await rpc.getTransactionByHash(signed.txHash);
    return { state: pending ? 'PENDING' : 'UNKNOWN', confirmations: 0, fee: null, blockNumber: null };
  }

  async replace(request: PayoutRequest, stuck: SignedPayout): Promise<SignedPayout | null> {
    this.assertOwn(stuck);
    if (stuck.reference !== request.reference)
      throw new PayoutError('PAYOUT_INVALID', this.network, 'replacement must keep the payout reference');
    if (stuck.sequence === null) throw new PayoutError('PAYOUT_INVALID', this.network, 'EVM payout without a nonce');
    const old = Transaction.from(stuck.raw);
    if (old.maxFeePerGas === null || old.maxPriorityFeePerGas === null)
      throw new PayoutError('PAYOUT_INVALID', this.network, 'only EIP-1559 transactions are replaced');
    const mined = await this.deps.rpc.getTransactionCount(stuck.from, 'latest');
    if (mined > stuck.sequence)
      throw new PayoutError(
        'PAYOUT_SEQUENCE_USED',
        this.network,
        `nonce ${stuck.sequence} is already mined: ask status() of each version instead of replacing`,
      );
    const quote = await this.quoteFee(request);
    const bump = (value: bigint) => ceilDiv(value * (10_000n + BigInt(this.settings.replaceBumpBps)), 10_000n);
    const quotedMax = detailBigint(quote, 'maxFeePerGas', this.network);
    const quotedTip = detailBigint(quote, 'maxPriorityFeePerGas', this.network);
    const maxPriorityFeePerGas =
      quotedTip > bump(old.maxPriorityFeePerGas) ? quotedTip : bump(old.maxPriorityFeePerGas);
    let maxFeePerGas = quotedMax > bump(old.maxFeePerGas) ? quotedMax : bump(old.maxFeePerGas);
    if (maxFeePerGas < maxPriorityFeePerGas) maxFeePerGas = maxPriorityFeePerGas;
    const signed = await this.signAt(
      request,
      this.transferOf(request),
      stuck.sequence,
      old.gasLimit,
      maxFeePerGas,
      maxPriorityFeePerGas,
    );
    if (signed.from !== stuck.from)
      throw new PayoutError('PAYOUT_INVALID', this.network, 'replacement must come from the same address');
    this.deps.log.warn(
      {
        network: this.network,
        reference: request.reference,
        nonce: stuck.sequence.toString(),
        stuck: stuck.txHash,
        replacement: signed.txHash,
      },
      'stuck payout replaced with a higher fee',
    );
    return signed;
  }

  private async signAt(
    request: PayoutRequest,
    transfer: EvmTransfer,
    nonce: bigint,
    gasLimit: bigint,
    maxFeePerGas: bigint,
    maxPriorityFeePerGas: bigint,
  ): Promise<SignedPayout> {
    const chainId = await this.resolveChainId();
    const result = await this.deps.keys.withSeed(this.network, request.from, (seed, key) =>
      signEvmTransfer(seed, {
        network: this.network,
        index: key.index,
        branch: key.branch,
        chainId,
        nonce: Number(nonce),
        gasLimit,
        fee: { type: 'eip1559', maxFeePerGas, maxPriorityFeePerGas },
        transfer,
      }),
    );
    return {
      network: this.network,
      reference: request.reference,
      from: result.from,
      txHash: result.hash.toLowerCase(),
      raw: result.rawTransaction,
      sequence: nonce,
      maxFee: gasLimit * maxFeePerGas,
      expiresAt: null,
    };
  }

  private async resolveChainId(): Promise<bigint> {
    if (this.chainId === null) this.chainId = await this.deps.rpc.chainId();
    return this.chainId;
  }

  private transferOf(request: PayoutRequest): EvmTransfer {
    if (request.network !== this.network)
      throw new PayoutError('PAYOUT_INVALID', this.network, `request is for ${request.network}`);
    if (typeof request.amount !== 'bigint' || request.amount <= 0n)
      throw new PayoutError('PAYOUT_INVALID', this.network, 'amount must be a positive bigint');
    const asset = assetInfo(request.asset);
    if (!asset || asset.network !== this.network)
      throw new PayoutError('PAYOUT_INVALID', this.network, `${request.asset} is not an asset of ${this.network}`);
    if (asset.contract === null) return { asset: 'native', to: request.to, amount: request.amount };
    return { asset: 'token', token: this.settings.usdtContract, to: request.to, amount: request.amount };
  }

  private async estimateGas(from: string, transfer: EvmTransfer): Promise<bigint> {
    try {
      if (transfer.asset === 'native')
        return await this.deps.rpc.estimateGas({ from, to: transfer.to, value: transfer.amount });
      return await this.deps.rpc.estimateGas({
        from,
        to: transfer.token,
        data: encodeErc20Transfer(transfer.to, transfer.amount),
      });
    } catch (err) {
      if (err instanceof EvmRpcError && (err.reason === 'execution-reverted' || err.reason === 'insufficient-funds'))
        throw new PayoutError('PAYOUT_WOULD_FAIL', this.network, `the transfer would fail: ${err.rpcMessage}`, {
          cause: err,
        });
      throw err;
    }
  }

  private assertOwn(signed: SignedPayout): void {
    if (signed.network !== this.network)
      throw new PayoutError('PAYOUT_INVALID', this.network, `signed payout is for ${signed.network}`);
  }
}
