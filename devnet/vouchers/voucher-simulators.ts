import type { VoucherProvidersConfig } from '../../platform/config/vouchers.js';
import { startPerfectMoneySimulator, type PerfectMoneySimulator } from './perfect-money.simulator.js';
import { startUtopiaSimulator, type UtopiaSimulator } from './utopia.simulator.js';
import { startUwalletSimulator, type UwalletSimulator } from './uwallet.simulator.js';

export interface VoucherSimulators {
  uwallet: UwalletSimulator;
  utopia: UtopiaSimulator;
  perfectMoney: PerfectMoneySimulator;
  close(): Promise<void>;
}

/**
 * The three voucher simulators accepting the configured credentials: on the configured ports (devnet process), or
 * on ephemeral ports when `ephemeral` (tests; point the config's base URLs at the returned `url`s).
 */
export async function startVoucherSimulators(
  config: VoucherProvidersConfig,
  options: { ephemeral?: boolean } = {},
): Promise<VoucherSimulators> {
  const ports = options.ephemeral ? null : config.simulatorPorts;
  const uwallet = await startUwalletSimulator({
    ...(ports ? { port: ports.uwallet } : {}),
    ...(config.uwallet
      ? { tokens: [config.uwallet.token], coins: [config.uwallet.hotCoin, config.uwallet.psCoin] }
      : {}),
  });
  const utopia = await startUtopiaSimulator({
    ...(ports ? { port: ports.utopia } : {}),
    ...(config.utopia ? { token: config.utopia.token } : {}),
  });
  const perfectMoney = await startPerfectMoneySimulator({
    ...(ports ? { port: ports.perfectMoney } : {}),
    ...(config.perfectMoney ?? {}),
  });
  return {
    uwallet,
    utopia,
    perfectMoney,
    close: async () => {
      await Promise.all([uwallet.close(), utopia.close(), perfectMoney.close()]);
    },
  };
}
