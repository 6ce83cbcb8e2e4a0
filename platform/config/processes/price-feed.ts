import { defineProcess, port, section, type ConfigOf } from '../env.js';
import { database, nats, redis } from '../pieces.js';
import { priceRetention, prices } from '../prices.js';

/** The price feed: polls the providers into market's cache, ticks and candles; publishes market.price.updated. */
const priceFeed = section({ PRICE_FEED_PORT: port.default(4191), ...priceRetention.shape }, (e, ctx) => ({
  port: e.PRICE_FEED_PORT,
  ...priceRetention.build(e, ctx),
}));

export const priceFeedProcess = defineProcess('price-feed', { database, redis, nats, prices, priceFeed });
export type PriceFeedConfig = ConfigOf<typeof priceFeedProcess>;
