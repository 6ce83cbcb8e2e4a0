import { assetInfo, nativeAssetOf } from '../../../platform/money/assets.js';
import type { Logger } from '../../../platform/logger.js';
import { TronBroadcastError, TronContractCallError, type TronGridClient } from '../../../providers/trongrid/index.js';
import {
  buildTronTransaction,
  encodeErc20Transfer,
  signTronTransfer,
  type TronBroadcastTransaction,
  type TronTransfer,
} from '../custody/index.js';
import { decodeTronAddress } from '../../../chains/address.js';
import { PayoutError } from './payout.errors.js';
import type { PayoutKeys } from './payout.keys.js';
import type { ChainPayout, FeeQuote, PayoutRequest, PayoutStatus, SignedPayout } from './payout.port.js';

/**
 * Bandwidth a transaction consumes besides its raw_data: the 65-byte signature, java-tron's reserved result space
 * (MAX_RESULT_SIZE_IN_TX = 64) and the protobuf framing of the two (a few bytes).
 */
const BANDWIDTH_OVERHEAD_BYTES = 65n + 64n + 6n;

export interface TronPayoutSettings {
  /** Solidified confirmations before CONFIRMED (the chains section: 19). */
  confirmations: number;
  /** The USDT TRC20 contract (T…). */
  usdtContract: string;
  /** fee_limit = energy estimate × energy price × this / 100. */
  feeLimitPercent: number;
  /** A signed transaction expires this long after it is built. */
  expirationSeconds: number;
}

export interface TronPayoutDeps {
  client: TronGridClient;
  keys: PayoutKeys;
  log: Logger;
  now?: () => number;
}

function param(params: Map<string, bigint>, key: string): bigint {
  const value = params.get(key);
  if (value === undefined) throw new Error(`getchainparameters has no ${key}`);
  return value;
}

function detailBigint(quote: FeeQuote, field: string): bigint {
  const value = quote.detail[field];
  if (value === undefined || !/^\d+$/u.test(value))
    throw new PayoutError('PAYOUT_INVALID', 'TRON', `quote has no ${field}: quote it with this payout's quoteFee`);
  return BigInt(value);
}

/**
 * TRX and USDT TRC20 payouts through TronGrid. Fees: bandwidth (the transaction's bytes × getTransactionFee, as
 * if no free bandwidth were left), plus account activation (getCreateNewAccountFeeInSystemContract +
 * getCreateAccountFee) for TRX sent to an address that does not exist yet, plus for TRC20 the energy the call uses
 * (`triggerconstantcontract` energy_used) × getEnergyFee, capped by fee_limit. No nonce: a transaction carries a
 * reference block and an expiration; `raw` is the signed JSON.
 */
export class TronChainPayout implements ChainPayout {
  readonly network = 'TRON' as const;
  private readonly now: () => number;

  constructor(
    private readonly settings: TronPayoutSettings,
    private readonly deps: TronPayoutDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  hotAddress(): Promise<string> {
    return this.deps.keys.address('TRON', { kind: 'hot' });
  }

  async quoteFee(request: PayoutRequest): Promise<FeeQuote> {
    const token = this.isToken(request);
    const from = await this.deps.keys.address('TRON', request.from);
    const { client } = this.deps;
    const [params, head, recipient] = await Promise.all([
      client.getChainParameters(),
      client.getNowBlock(),
      client.getAccount(request.to),
    ]);
    const bandwidthPrice = param(params, 'getTransactionFee');
    const energyPrice = param(params, 'getEnergyFee');
    let energy = 0n;
    if (token) {
      try {
        const call = await client.triggerConstantContract({
          owner: from,
          contract: this.settings.usdtContract,
          data: encodeErc20Transfer(
            '0x' + Buffer.from(decodeTronAddress(request.to).subarray(1)).toString('hex'),
            request.amount,
          ).slice(2),
        });
        energy = BigInt(call.energyUsed);
      } catch (err) {
        if (err instanceof TronContractCallError)
          throw new PayoutError('PAYOUT_WOULD_FAIL', 'TRON', `the transfer would fail: ${err.message}`, { cause: err });
        throw err;
      }
    }
    const energyFee = energy * energyPrice;
    const feeLimit = token ? (energyFee * BigInt(this.settings.feeLimitPercent) + 99n) / 100n : 0n;
    // The transaction's size, from the very transaction the quote stands for (built unsigned, never sent).
    const unsigned = buildTronTransaction(from, {
      refBlock: { number: head.number, hash: head.blockID },
      transfer: this.transferOf(request, feeLimit > 0n ? feeLimit : 1n),
      timestamp: this.now(),
    });
    const bandwidth = BigInt(unsigned.raw_data_hex.length / 2) + BANDWIDTH_OVERHEAD_BYTES;
    const bandwidthFee = bandwidth * bandwidthPrice;
    const activation =
      !token && !recipient.exists
        ? param(params, 'getCreateNewAccountFeeInSystemContract') + param(params, 'getCreateAccountFee')
        : 0n;
    return {
      network: 'TRON',
      feeAsset: nativeAssetOf('TRON').symbol,
      maxFee: bandwidthFee + activation + feeLimit,
      expectedFee: bandwidthFee + activation + energyFee,
      detail: {
        from,
        bandwidthBytes: bandwidth.toString(),
        bandwidthPriceSun: bandwidthPrice.toString(),
        energy: energy.toString(),
        energyPriceSun: energyPrice.toString(),
        feeLimit: feeLimit.toString(),
        activationSun: activation.toString(),
      },
    };
  }

  async sign(request: PayoutRequest, quote: FeeQuote): Promise<SignedPayout> {
    if (quote.network !== 'TRON') throw new PayoutError('PAYOUT_INVALID', 'TRON', `quote is for ${quote.network}`);
    const feeLimit = detailBigint(quote, 'feeLimit');
    const transfer = this.transferOf(request, feeLimit);
    const head = await this.deps.client.getNowBlock();
    const timestamp = this.now();
    const expiration = timestamp + this.settings.expirationSeconds * 1000;
    const signed = await this.deps.keys.withSeed('TRON', request.from, (seed, key) =>
      signTronTransfer(seed, {
        index: key.index,
        branch: key.branch,
        refBlock: { number: head.number, hash: head.blockID },
        transfer,
        timestamp,
        expiration,
      }),
    );
    const { from, ...tx } = signed;
    this.deps.log.info({ network: 'TRON', reference: request.reference, from, txHash: tx.txID }, 'payout signed');
    return {
      network: 'TRON',
      reference: request.reference,
      from,
      txHash: tx.txID,
      raw: JSON.stringify(tx),
      sequence: null,
      maxFee: quote.maxFee,
      expiresAt: new Date(expiration),
    };
  }

  async broadcast(signed: SignedPayout): Promise<void> {
    this.assertOwn(signed);
    const tx = this.parse(signed);
    try {
      await this.deps.client.broadcastTransaction(tx);
    } catch (err) {
      if (!(err instanceof TronBroadcastError)) throw err;
      if (err.tronCode === 'DUP_TRANSACTION_ERROR') return;
      if (err.tronCode === 'TRANSACTION_EXPIRATION_ERROR' || err.tronCode === 'TAPOS_ERROR') {
        // Already in a block (a second broadcast after it landed) is success; otherwise it can never land.
        if (await this.deps.client.getTransactionInfoById(signed.txHash)) return;
        throw new PayoutError('PAYOUT_REJECTED', 'TRON', `expired unsent (${err.tronCode}): sign a new one`, {
          cause: err,
        });
      }
      if (err.tronCode === 'CONTRACT_VALIDATE_ERROR' || err.tronCode === 'BANDWITH_ERROR')
        throw new PayoutError('PAYOUT_WOULD_FAIL', 'TRON', `${err.tronCode}: ${err.detail}`, { cause: err });
      throw new PayoutError('PAYOUT_REJECTED', 'TRON', `${err.tronCode}: ${err.detail}`, { cause: err });
    }
  }

  async status(signed: SignedPayout): Promise<PayoutStatus> {
    this.assertOwn(signed);
    const { client } = this.deps;
    const info = await client.getTransactionInfoById(signed.txHash);
    const head = await client.getNowBlock();
    if (!info) {
      // Once the chain's time is past the expiration and no block holds it, it never will.
      const expired = signed.expiresAt !== null && head.timestamp > signed.expiresAt.getTime();
      return { state: expired ? 'FAILED' : 'UNKNOWN', confirmations: 0, fee: null, blockNumber: null };
    }
    const solid = await client.getNowBlock({ solidified: true });
    const confirmations = Math.max(0, head.number - info.blockNumber + 1);
    const final = solid.number >= info.blockNumber && confirmations >= this.settings.confirmations;
    const succeeded = info.success && (info.receiptResult === null || info.receiptResult === 'SUCCESS');
    return {
      state: !final ? 'PENDING' : succeeded ? 'CONFIRMED' : 'FAILED',
      confirmations,
      fee: info.fee,
      blockNumber: BigInt(info.blockNumber),
    };
  }

  /** TRON has no replace-by-fee: a transaction lands or expires; after expiry the caller signs a new one. */
  replace(): Promise<SignedPayout | null> {
    return Promise.resolve(null);
  }

  private isToken(request: PayoutRequest): boolean {
    if (request.network !== 'TRON')
      throw new PayoutError('PAYOUT_INVALID', 'TRON', `request is for ${request.network}`);
    if (typeof request.amount !== 'bigint' || request.amount <= 0n)
      throw new PayoutError('PAYOUT_INVALID', 'TRON', 'amount must be a positive bigint');
    const asset = assetInfo(request.asset);
    if (!asset || asset.network !== 'TRON')
      throw new PayoutError('PAYOUT_INVALID', 'TRON', `${request.asset} is not an asset of TRON`);
    return asset.contract !== null;
  }

  private transferOf(request: PayoutRequest, feeLimit: bigint): TronTransfer {
    if (!this.isToken(request)) return { asset: 'native', to: request.to, amount: request.amount };
    return { asset: 'token', contract: this.settings.usdtContract, to: request.to, amount: request.amount, feeLimit };
  }

  private parse(signed: SignedPayout): TronBroadcastTransaction {
    const tx = JSON.parse(signed.raw) as TronBroadcastTransaction;
    if (tx.txID !== signed.txHash) throw new PayoutError('PAYOUT_INVALID', 'TRON', 'raw does not match txHash');
    return tx;
  }

  private assertOwn(signed: SignedPayout): void {
    if (signed.network !== 'TRON')
      throw new PayoutError('PAYOUT_INVALID', 'TRON', `signed payout is for ${signed.network}`);
  }
}
