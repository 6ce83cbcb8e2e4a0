import type { EntityManager } from '@mikro-orm/postgresql';
import { isEvmNetwork, type Network } from '../../../chains/network.js';
import { hasRole, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput, DomainError, ErrorCode, forbidden, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { ASSETS, assetInfo, type AssetInfo } from '../../../platform/money/assets.js';
import type { ChainBalanceReader } from '../../../providers/chain-balance/index.js';
import { ProviderError } from '../../../providers/http/index.js';
import type { TreasuryAddresses } from '../treasury/treasury-addresses.js';

/** Roles that may see reserves and the treasury (the same as on-chain balances). */
export const RESERVE_ROLES = ['FINANCE', 'ADMIN', 'SUPERADMIN'] as const;

/** Chain reads in flight at once per `reserves` call (the providers' own limits still apply). */
const READ_CONCURRENCY = 8;

export interface Holdings {
  asset: string;
  network: Network;
  /** hot + cold + deposits, in the asset's minor unit. */
  onChain: bigint;
  hot: bigint;
  cold: bigint;
  deposits: bigint;
  depositAddresses: number;
  hotAddress: string | null;
  coldAddress: string | null;
  readAt: Date;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return out;
}

export function cryptoAssets(symbols: readonly string[] | null): AssetInfo[] {
  const all = ASSETS.filter((a) => a.network !== null);
  if (symbols == null) return all;
  return [...new Set(symbols)].map((symbol) => {
    const asset = assetInfo(symbol);
    if (!asset || asset.network === null) {
      throw badInput(`${symbol} is not a crypto asset of the catalogue (${all.map((a) => a.symbol).join(', ')})`, {
        field: 'assets',
      });
    }
    return asset;
  });
}

/**
 * What the platform holds on chain per asset: its hot and cold wallets plus every user deposit address, read from
 * the chains now (no cache: a reserve figure must not be older than it says). EVM deposit addresses are shared by
 * ETH and BSC (same keys), so both networks' wallets are read for either.
 */
export class HoldingsService {
  constructor(
    private readonly reader: ChainBalanceReader | null,
    private readonly addresses: TreasuryAddresses,
    private readonly log: Logger,
  ) {}

  authorize(viewer: Viewer): void {
    if (!viewer.userId) throw unauthenticated();
    if (!hasRole(viewer, ...RESERVE_ROLES)) throw forbidden('FINANCE or admins only');
  }

  async depositAddresses(em: EntityManager, network: Network): Promise<string[]> {
    const networks = isEvmNetwork(network) ? ['ETH', 'BSC'] : [network];
    const rows = await em
      .getConnection()
      .execute<{ address: string }[]>(
        `select distinct ${isEvmNetwork(network) ? 'lower(address)' : 'address'} as address from wallet.wallet where network in (${networks.map(() => '?').join(',')}) order by 1`,
        networks,
      );
    return rows.map((r) => r.address);
  }

  async of(em: EntityManager, viewer: Viewer, symbols: readonly string[] | null): Promise<Holdings[]> {
    this.authorize(viewer);
    return this.read(em, cryptoAssets(symbols));
  }

  async read(em: EntityManager, assets: readonly AssetInfo[]): Promise<Holdings[]> {
    const reader = this.reader;
    if (!reader)
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Chain endpoints are not configured on this server');
    const depositsBy = new Map<Network, string[]>();
    for (const network of new Set(assets.map((a) => a.network!))) {
      depositsBy.set(network, await this.depositAddresses(em, network));
    }
    const out: Holdings[] = [];
    for (const asset of assets) {
      const network = asset.network!;
      const [hotAddress, coldAddress] = [await this.addresses.hot(network), this.addresses.cold(network)];
      const deposits = depositsBy.get(network)!;
      const platform = new Set([hotAddress, coldAddress].filter((a): a is string => !!a).map((a) => norm(network, a)));
      const userAddresses = deposits.filter((a) => !platform.has(norm(network, a)));
      const read = (address: string) => this.balance(reader, network, asset.symbol, address);
      const [hot, cold, perDeposit] = await Promise.all([
        hotAddress ? read(hotAddress) : 0n,
        coldAddress ? read(coldAddress) : 0n,
        mapLimited(userAddresses, READ_CONCURRENCY, read),
      ]);
      const depositSum = perDeposit.reduce((s, v) => s + v, 0n);
      out.push({
        asset: asset.symbol,
        network,
        hot,
        cold,
        deposits: depositSum,
        onChain: hot + cold + depositSum,
        depositAddresses: userAddresses.length,
        hotAddress,
        coldAddress,
        readAt: new Date(),
      });
    }
    return out;
  }

  /** One address's balance, chain failures as SERVICE_UNAVAILABLE. */
  readOne(network: Network, asset: string, address: string): Promise<bigint> {
    if (!this.reader)
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Chain endpoints are not configured on this server');
    return this.balance(this.reader, network, asset, address);
  }

  private async balance(reader: ChainBalanceReader, network: Network, asset: string, address: string): Promise<bigint> {
    try {
      return await reader.balance(network, asset, address);
    } catch (err) {
      if (err instanceof ProviderError) {
        this.log.warn({ network, asset, address, provider: err.provider, code: err.code }, 'reserve read failed');
        throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, `Could not read the ${network} chain (${err.code})`, {
          network,
        });
      }
      throw err;
    }
  }
}

function norm(network: Network, address: string): string {
  return isEvmNetwork(network) ? address.toLowerCase() : address;
}
