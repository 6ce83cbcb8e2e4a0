import { hasRole, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput, DomainError, ErrorCode, forbidden, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { ASSETS, assetInfo, type AssetInfo } from '../../../platform/money/assets.js';
import type { Redis } from '../../../platform/redis.js';
import { ChainBalanceInputError, type ChainBalanceReader } from '../../../providers/chain-balance/index.js';
import { ProviderError } from '../../../providers/http/index.js';
import type { Network } from '../../../chains/network.js';

/** Roles that may read a wallet's on-chain balance (reconciliation). */
export const ON_CHAIN_BALANCE_ROLES = ['FINANCE', 'ADMIN', 'SUPERADMIN'] as const;

export interface OnChainBalance {
  asset: string;
  /** In the asset's major unit, exact ("12.5"). */
  amount: string;
  /** When the chain was read (a cached answer keeps its original time). */
  fetchedAt: Date;
  cached: boolean;
}

interface Reading {
  minor: bigint;
  fetchedAt: number;
}

export interface OnChainBalanceOptions {
  keyPrefix: string;
  cacheSeconds: number;
}

/**
 * `Wallet.onChainBalance`: the wallet's native coin and USDT as the chain reports them, through the
 * ChainBalanceReader port, cached in Redis for a few seconds (one chain read per wallet, asset and
 * cache period, however many admins ask at once).
 */
export class OnChainBalanceService {
  private readonly inflight = new Map<string, Promise<Reading>>();

  constructor(
    /** null when chain endpoints are not configured: the field answers SERVICE_UNAVAILABLE. */
    private readonly reader: ChainBalanceReader | null,
    private readonly redis: Redis,
    private readonly options: OnChainBalanceOptions,
    private readonly log: Logger,
  ) {}

  async of(
    viewer: Viewer,
    wallet: { network: Network; address: string },
    assetSymbol: string | null | undefined,
  ): Promise<OnChainBalance[]> {
    if (!viewer.userId) throw unauthenticated();
    if (!hasRole(viewer, ...ON_CHAIN_BALANCE_ROLES)) throw forbidden('FINANCE or admins only');
    const assets = assetsOf(wallet.network, assetSymbol);
    const reader = this.reader;
    if (!reader)
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'On-chain balances are not configured on this server');
    return Promise.all(assets.map((asset) => this.read(reader, wallet.network, asset, wallet.address)));
  }

  private async read(
    reader: ChainBalanceReader,
    network: Network,
    asset: AssetInfo,
    address: string,
  ): Promise<OnChainBalance> {
    const key = `${this.options.keyPrefix}wallet:onchain:${network}:${asset.symbol}:${address}`;
    const hit = await this.redis.get(key);
    const parsed = hit ? /^(\d+)\|(\d+)$/.exec(hit) : null;
    if (parsed)
      return {
        asset: asset.symbol,
        amount: formatAmount(BigInt(parsed[1]!), asset.decimals),
        fetchedAt: new Date(Number(parsed[2])),
        cached: true,
      };
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetch(reader, network, asset, address, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const reading = await pending;
    return {
      asset: asset.symbol,
      amount: formatAmount(reading.minor, asset.decimals),
      fetchedAt: new Date(reading.fetchedAt),
      cached: false,
    };
  }

  private async fetch(
    reader: ChainBalanceReader,
    network: Network,
    asset: AssetInfo,
    address: string,
    key: string,
  ): Promise<Reading> {
    let minor: bigint;
    try {
      minor = await reader.balance(network, asset.symbol, address);
    } catch (err) {
      if (err instanceof ChainBalanceInputError) throw badInput(err.message, { field: 'asset' });
      if (err instanceof ProviderError) {
        this.log.warn(
          { network, asset: asset.symbol, address, provider: err.provider, code: err.code },
          'on-chain balance read failed',
        );
        throw new DomainError(
          ErrorCode.SERVICE_UNAVAILABLE,
          `Could not read the ${network} chain (${err.code}); try again shortly`,
          { network },
        );
      }
      throw err;
    }
    const reading: Reading = { minor, fetchedAt: Date.now() };
    await this.redis.set(key, `${minor}|${reading.fetchedAt}`, 'EX', this.options.cacheSeconds);
    return reading;
  }
}

/** The network's native coin and its USDT, or the one asked for (which must be one of them). */
export function assetsOf(network: Network, symbol: string | null | undefined): AssetInfo[] {
  const onNetwork = ASSETS.filter((a) => a.network === network && (a.contract === null || a.coin === 'USDT'));
  if (symbol == null) return onNetwork;
  const asset = assetInfo(symbol);
  if (!asset || !onNetwork.includes(asset)) {
    throw badInput(`${symbol} is not an asset on ${network} (one of ${onNetwork.map((a) => a.symbol).join(', ')})`, {
      field: 'asset',
    });
  }
  return [asset];
}
