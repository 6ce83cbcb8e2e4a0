import type { Logger } from 'pino';
import type { VoucherProvidersConfig } from '../../platform/config/vouchers.js';
import type { ResilienceOptions } from '../http/resilience.js';
import { createPerfectMoneyProvider } from '../perfect-money/perfect-money.client.js';
import { createUtopiaProvider } from '../utopia/utopia.client.js';
import { createUwalletProvider } from '../uwallet/uwallet.client.js';
import type { VoucherProvider, VoucherType } from '../voucher-provider.port.js';

export * from '../voucher-provider.port.js';
export { createUwalletProvider, UWALLET_RESILIENCE } from '../uwallet/uwallet.client.js';
export { createUtopiaProvider, UTOPIA_RESILIENCE } from '../utopia/utopia.client.js';
export { createPerfectMoneyProvider, PERFECT_MONEY_RESILIENCE } from '../perfect-money/perfect-money.client.js';

/** The provider behind each voucher type that is configured; a type missing here cannot be traded. */
export type VoucherProviders = Partial<Record<VoucherType, VoucherProvider>>;

/**
 * Builds the configured voucher issuers: uWallet for HOT and PS (PS Voucher has no public issuer API; it is
 * resold through uWallet under its configured coin), Utopia for UTOPIA_UUSD and UTOPIA_CRP, Perfect Money for
 * PERFECT_MONEY.
 */
export function createVoucherProviders(
  config: VoucherProvidersConfig,
  log?: Logger,
  options: { resilience?: ResilienceOptions } = {},
): VoucherProviders {
  const common = {
    ...(log ? { log } : {}),
    resilience: { timeoutMs: config.timeoutMs, ...options.resilience },
  };
  const out: VoucherProviders = {};
  if (config.uwallet) {
    const uwallet = createUwalletProvider({
      baseUrl: config.uwallet.baseUrl,
      token: config.uwallet.token,
      coins: {
        HOT: { coin: config.uwallet.hotCoin, wireUnit: 'IRR' },
        PS: { coin: config.uwallet.psCoin, wireUnit: 'USD' },
      },
      ...common,
    });
    out.HOT = uwallet;
    out.PS = uwallet;
  }
  if (config.utopia) {
    const utopia = createUtopiaProvider({ ...config.utopia, ...common });
    out.UTOPIA_UUSD = utopia;
    out.UTOPIA_CRP = utopia;
  }
  if (config.perfectMoney) out.PERFECT_MONEY = createPerfectMoneyProvider({ ...config.perfectMoney, ...common });
  return out;
}
