import type { VoucherConfig } from '../../platform/config/config.js';
import { FieldSealer } from '../../platform/crypto/sealed-field.js';
import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import { runPeriodically } from '../../platform/service/periodic.js';
import type { SubgraphDefinition } from '../../platform/service/subgraph.js';
import { voucherMigrations } from '../../migrations/voucher/index.js';
import { createVoucherProviders, type VoucherProviders } from '../../providers/vouchers/index.js';
import { ProviderBalanceResolver } from './balance/provider-balance.resolver.js';
import { ProviderBalanceService } from './balance/provider-balance.service.js';
import type { VoucherServices } from './context.js';
import { VoucherRate } from './rate/rate.entity.js';
import { RateResolver } from './rate/rate.resolver.js';
import { RateService } from './rate/rate.service.js';
import { userReference, VoucherUser, VoucherUserResolver } from './user/user.resolver.js';
import { VoucherResolutionResolver } from './voucher/resolution.resolver.js';
import { ResolutionService } from './voucher/resolution.service.js';
import { startHoldOutcomeConsumer } from './voucher/hold-outcome.consumer.js';
import { Voucher, VoucherReveal } from './voucher/voucher.entity.js';
import { voucherReference } from './voucher/voucher.reference.js';
import { VoucherResolver } from './voucher/voucher.resolver.js';
import { VoucherService } from './voucher/voucher.service.js';

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildVoucherSchema() {
  return buildSubgraph({
    resolvers: [VoucherResolver, RateResolver, ProviderBalanceResolver, VoucherUserResolver, VoucherResolutionResolver],
    orphanedTypes: [VoucherUser],
    references: { Voucher: voucherReference, User: userReference },
  });
}

/** Tests may hand in providers (e.g. pointed at their own simulators); otherwise the configured ones. */
export function voucherSubgraphWith(providersOverride?: VoucherProviders): SubgraphDefinition<VoucherConfig> {
  return {
    name: 'voucher',
    entities: [VoucherRate, Voucher, VoucherReveal],
    migrations: voucherMigrations,
    async build(deps) {
      const log = deps.log.child({ component: 'voucher' });
      const providers = providersOverride ?? createVoucherProviders(deps.config.voucherProviders, deps.log);
      const keys = deps.config.voucherCodeKeys;
      const sealer = new FieldSealer(keys.keys, keys.fingerprintKey());
      const rates = new RateService(log);
      const services: VoucherServices = {
        rates,
        vouchers: new VoucherService(deps.orm, providers, rates, sealer, deps.config.voucher, log),
        balances: new ProviderBalanceService(providers, deps.config.voucher.lowBalance, log, deps.metrics.registry),
        resolutions: new ResolutionService(deps.orm, sealer, log),
      };
      const schema = await buildVoucherSchema();
      const holds = await startHoldOutcomeConsumer(deps, services.vouchers);
      const resolver = runPeriodically('voucher-resolver', deps.config.voucher.pollMs, log, () =>
        services.vouchers.resolveOpen(),
      );
      // Low-balance alerts without anyone asking: read every provider's balances periodically.
      const balanceWatch = runPeriodically('voucher-balances', deps.config.voucher.balanceCheckMs, log, async () => {
        await services.balances.read().catch((err: unknown) => {
          log.warn({ err: (err as Error).message }, 'voucher provider balances not read this round');
        });
        return false;
      });
      return { schema, background: [holds, resolver, balanceWatch], context: () => ({ vouchers: services }) };
    },
  };
}

export const voucherSubgraph = voucherSubgraphWith();
