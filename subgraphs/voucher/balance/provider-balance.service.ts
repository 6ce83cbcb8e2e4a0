import { Gauge, type Registry } from 'prom-client';
import { hasClaim, hasRole, type Viewer } from '../../../platform/auth/viewer.js';
import { DomainError, ErrorCode, forbidden, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { ProviderBalance, VoucherProvider, VoucherProviders } from '../../../providers/vouchers/index.js';

export interface ProviderBalanceView extends ProviderBalance {
  provider: string;
  low: boolean;
  threshold: bigint | null;
}

/**
 * The platform's balances at each voucher provider, for staff (FINANCE, or the vouchers:rates claim), with a
 * low-balance alert: a log line `ADMIN ALERT` and the gauge `voucher_provider_balance_low{provider,asset}` = 1.
 * The background loop checks them periodically too.
 */
export class ProviderBalanceService {
  private readonly lowGauge: Gauge<'provider' | 'asset'>;
  private readonly balanceGauge: Gauge<'provider' | 'asset' | 'currency'>;

  constructor(
    private readonly providers: VoucherProviders,
    private readonly thresholds: Record<string, bigint>,
    private readonly log: Logger,
    registry: Registry,
  ) {
    this.lowGauge = new Gauge({
      name: 'voucher_provider_balance_low',
      help: '1 when the platform balance at a voucher provider is under its alert threshold',
      labelNames: ['provider', 'asset'],
      registers: [registry],
    });
    this.balanceGauge = new Gauge({
      name: 'voucher_provider_balance_minor',
      help: 'The platform balance at a voucher provider, in minor units of its currency',
      labelNames: ['provider', 'asset', 'currency'],
      registers: [registry],
    });
  }

  authorize(viewer: Viewer): void {
    if (!viewer.userId) throw unauthenticated();
    if (!hasRole(viewer, 'FINANCE', 'SUPERADMIN') && !hasClaim(viewer, 'vouchers:rates'))
      throw forbidden('Provider balances are for FINANCE staff or holders of vouchers:rates');
  }

  private distinct(): VoucherProvider[] {
    return [...new Set(Object.values(this.providers))];
  }

  async read(): Promise<ProviderBalanceView[]> {
    const out: ProviderBalanceView[] = [];
    for (const provider of this.distinct()) {
      let balances: ProviderBalance[];
      try {
        balances = await provider.balances();
      } catch (err) {
        this.log.warn({ provider: provider.name, err: (err as Error).message }, 'voucher provider balance unreadable');
        throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, `${provider.name} is not answering`, {
          provider: provider.name,
        });
      }
      for (const b of balances) {
        const threshold = this.thresholds[b.currency] ?? null;
        const low = threshold !== null && b.available < threshold;
        this.lowGauge.set({ provider: provider.name, asset: b.asset }, low ? 1 : 0);
        this.balanceGauge.set({ provider: provider.name, asset: b.asset, currency: b.currency }, Number(b.available));
        if (low)
          this.log.warn(
            {
              provider: provider.name,
              asset: b.asset,
              available: b.available.toString(),
              threshold: threshold.toString(),
            },
            'ADMIN ALERT: voucher provider balance low',
          );
        out.push({ ...b, provider: provider.name, low, threshold });
      }
    }
    return out;
  }
}
