import '../../platform/telemetry/register.js'; // first: tracing patches modules as they load
import { loadOrExit, priceSimulatorsProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { Shutdown } from '../../platform/shutdown.js';
import { startPriceSimulators } from './price-simulators.js';

/**
 * Devnet only: CoinGecko, CoinMarketCap and Nobitex simulators on PRICE_SIMULATOR_PORT, +1 and +2, where
 * the dev config points the providers by default. Random-walk prices in each provider's wire format.
 */
const config = loadOrExit(priceSimulatorsProcess);
const log = createLogger({ name: 'price-simulators', level: config.logLevel });
const base = config.prices.simulatorPort;
if (config.env === 'production' || base === null) {
  log.fatal('price simulators are for development only (PRICE_SIMULATORS is off)');
  process.exit(1);
}
try {
  const sims = await startPriceSimulators({
    seed: Date.now() % 2 ** 31,
    ports: { coingecko: base, coinmarketcap: base + 1, nobitex: base + 2 },
  });
  log.info(
    { coingecko: sims.coingecko.url, coinmarketcap: sims.coinmarketcap.url, nobitex: sims.nobitex.url },
    'price simulators listening',
  );
  const shutdown = new Shutdown(log, config.shutdownGraceMs);
  shutdown.add('simulators', () => sims.close());
  shutdown.listen();
} catch (err) {
  log.fatal({ err }, 'price simulators could not start');
  process.exit(1);
}
