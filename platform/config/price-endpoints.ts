/**
 * Production endpoints of the price providers, as documented by each provider: the defaults configuration
 * falls back to. Kept in platform/config (no imports) so configuration never loads a provider; the clients
 * get their base URL from the config.
 */
export const PROVIDER_BASE_URLS = {
  coingecko: 'https://api.coingecko.com/api/v3',
  coingeckoPro: 'https://pro-api.coingecko.com/api/v3',
  coinmarketcap: 'https://pro-api.coinmarketcap.com',
  nobitex: 'https://apiv2.nobitex.ir',
} as const;
