/**
 * Production endpoints, as documented by each provider. Standalone (no imports) so configuration loading can use
 * them without pulling in the clients and simulators.
 */
export const PROVIDER_BASE_URLS = {
  coingecko: 'https://api.coingecko.com/api/v3',
  coingeckoPro: 'https://pro-api.coingecko.com/api/v3',
  coinmarketcap: 'https://pro-api.coinmarketcap.com',
  nobitex: 'https://apiv2.nobitex.ir',
} as const;
