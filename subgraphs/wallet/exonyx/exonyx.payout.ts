import type { Network } from '../../../chains/network.js';
import type { Logger } from '../../../platform/logger.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { assetInfo, nativeAssetOf } from '../../../platform/money/assets.js';
import type { ExonyxClient } from '../../../providers/exonyx/exonyx.client.js';
import type { ExonyxNetwork, WithdrawCreateRequest } from '../../../providers/exonyx/exonyx.wire.js';
import { PayoutError } from '../payout/payout.errors.js';
import type {
  ChainPayout,
  FeeQuote,
  PayoutRequest,
  PayoutState,
  PayoutStatus,
  SignedPayout,
} from '../payout/payout.port.js';

/** What Exonyx pays: USDT on TRON ("TRC-20") and on BSC ("BEP20"), the two networks the known request names. */
export const EXONYX_ASSETS: Readonly<Partial<Record<string, { network: Network; exonyx: ExonyxNetwork }>>> = {
  USDT_TRON: { network: 'TRON', exonyx: 'TRC-20' },
  USDT_BSC: { network: 'BSC', exonyx: 'BEP20' },
};

/** A signed payout that is an Exonyx request (its `txHash` until Exonyx reports the chain's). */
export const EXONYX_TX_PREFIX = 'exonyx:';

/** INFERRED status words: anything else is still pending. */
const DONE = new Set(['completed', 'complete', 'done', 'success', 'successful', 'confirmed']);
const FAILED = new Set(['failed', 'rejected', 'canceled', 'cancelled', 'error']);

export function isExonyxPayout(signed: Pick<SignedPayout, 'txHash'>): boolean {
  return signed.txHash.startsWith(EXONYX_TX_PREFIX);
}

/**
 * A payout backend for USDT withdrawals paid by Exonyx from the platform's reseller account instead of the hot
 * wallet. There is nothing to sign: "signing" freezes the withdraw/create body (the stored `raw`), "broadcast"
 * sends it with `unique_param` = the payout reference, and `status` sends it again: Exonyx is taken to answer
 * the existing withdrawal for a used `unique_param` (INFERRED; the API has no documented lookup). Fees are
 * charged to the reseller account and not quoted by the API, so the quote is zero.
 */
export class ExonyxPayout implements ChainPayout {
  constructor(
    readonly network: Network,
    private readonly client: ExonyxClient,
    private readonly log: Logger,
  ) {}

  supports(request: Pick<PayoutRequest, 'asset' | 'from'>): boolean {
    return EXONYX_ASSETS[request.asset]?.network === this.network && request.from.kind === 'hot';
  }

  private body(request: PayoutRequest): WithdrawCreateRequest {
    const route = EXONYX_ASSETS[request.asset];
    if (!route || route.network !== this.network || request.network !== this.network)
      throw new PayoutError('PAYOUT_INVALID', this.network, `Exonyx does not pay ${request.asset} on ${this.network}`);
    if (request.from.kind !== 'hot')
      throw new PayoutError(
        'PAYOUT_INVALID',
        this.network,
        'Exonyx pays from the reseller account, not a deposit address',
      );
    if (request.amount <= 0n) throw new PayoutError('PAYOUT_INVALID', this.network, 'amount must be positive');
    return {
      currency: 'USDT',
      network: route.exonyx,
      amount: formatAmount(request.amount, assetInfo(request.asset)!.decimals),
      to_address: request.to,
      unique_param: request.reference,
    };
  }

  async quoteFee(request: PayoutRequest): Promise<FeeQuote> {
    this.body(request);
    return await Promise.resolve({
      network: this.network,
      feeAsset: nativeAssetOf(this.network).symbol,
      maxFee: 0n,
      expectedFee: 0n,
      detail: { backend: 'exonyx', fee: 'charged to the reseller account; not quoted by the API' },
    });
  }

  async sign(request: PayoutRequest): Promise<SignedPayout> {
    const body = this.body(request);
    return await Promise.resolve({
      network: this.network,
      reference: request.reference,
      from: 'exonyx:reseller',
      txHash: `${EXONYX_TX_PREFIX}${request.reference}`,
      raw: JSON.stringify(body),
      sequence: null,
      maxFee: 0n,
      expiresAt: null,
    });
  }

  private parse(signed: SignedPayout): WithdrawCreateRequest {
    if (!isExonyxPayout(signed))
      throw new PayoutError('PAYOUT_INVALID', this.network, `${signed.txHash} is not an Exonyx payout`);
    return JSON.parse(signed.raw) as WithdrawCreateRequest;
  }

  async broadcast(signed: SignedPayout): Promise<void> {
    const result = await this.client.createWithdrawal(this.parse(signed));
    this.log.info({ reference: signed.reference, status: result.status }, 'exonyx payout sent');
  }

  async status(signed: SignedPayout): Promise<PayoutStatus> {
    const result = await this.client.createWithdrawal(this.parse(signed));
    const word = (result.status ?? '').toLowerCase();
    const state: PayoutState = DONE.has(word) ? 'CONFIRMED' : FAILED.has(word) ? 'FAILED' : 'PENDING';
    return { state, confirmations: state === 'CONFIRMED' ? 1 : 0, fee: null, blockNumber: null };
  }

  replace(): Promise<SignedPayout | null> {
    return Promise.resolve(null);
  }

  hotAddress(): Promise<string> {
    return Promise.reject(
      new PayoutError('PAYOUT_INVALID', this.network, 'Exonyx pays from the reseller account: it has no hot address'),
    );
  }
}

/**
 * The network's payout with Exonyx in front for what Exonyx pays (USDT from the hot wallet); everything else
 * (native coins, sweeps from deposit addresses, the hot address) stays with the chain's own payout.
 */
export function withExonyx(chain: ChainPayout | null, exonyx: ExonyxPayout): ChainPayout {
  const fallback = (what: string): ChainPayout => {
    if (!chain)
      throw new PayoutError('PAYOUT_INVALID', exonyx.network, `no chain payout on ${exonyx.network} for ${what}`);
    return chain;
  };
  return {
    network: exonyx.network,
    quoteFee: (r) => (exonyx.supports(r) ? exonyx.quoteFee(r) : fallback(r.asset).quoteFee(r)),
    sign: (r, q) => (exonyx.supports(r) ? exonyx.sign(r) : fallback(r.asset).sign(r, q)),
    broadcast: (s) => (isExonyxPayout(s) ? exonyx.broadcast(s) : fallback(s.reference).broadcast(s)),
    status: (s) => (isExonyxPayout(s) ? exonyx.status(s) : fallback(s.reference).status(s)),
    replace: (r, s) => (isExonyxPayout(s) ? exonyx.replace() : fallback(s.reference).replace(r, s)),
    hotAddress: () => fallback('the hot address').hotAddress(),
  };
}
