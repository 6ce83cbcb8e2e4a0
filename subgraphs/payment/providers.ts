import type { PaymentConfig } from '../../platform/config/config.js';
import type { FinnotechConfig, PaystarConfig } from '../../platform/config/payment-providers.js';
import type { Logger } from '../../platform/logger.js';
import { createFinnotechBanking } from '../../providers/finnotech/index.js';
import { createPaystarGateway } from '../../providers/paystar/index.js';
import type { PaymentProviders } from './app.js';

/** The configured Paystar and FinnoTech clients (real endpoints, or the devnet simulators outside production). */
export function providersFromConfig(
  config: { paystar: PaystarConfig; finnotech: FinnotechConfig; outboundProxy: { httpsProxy: string | null } },
  log: Logger,
): PaymentProviders {
  const f = config.finnotech;
  // Both banks answer whitelisted addresses only: through HTTPS_PROXY when set (never to the devnet simulators).
  const proxyUrl = config.outboundProxy.httpsProxy;
  return {
    paystar: createPaystarGateway({
      baseUrl: config.paystar.baseUrl,
      gatewayId: config.paystar.gatewayId,
      signKey: config.paystar.signKey,
      proxyUrl: config.paystar.simulatorPort === null ? proxyUrl : null,
      log,
    }),
    finnotech: createFinnotechBanking({
      baseUrl: f.baseUrl,
      clientId: f.clientId,
      clientSecret: f.clientSecret,
      nid: f.nid,
      sourceDeposit: f.sourceDeposit,
      statement: f.statement,
      proxyUrl: f.simulatorPort === null ? proxyUrl : null,
      log,
    }),
  };
}

export const paymentProvidersOf = (config: PaymentConfig, log: Logger): PaymentProviders =>
  providersFromConfig(config, log);
