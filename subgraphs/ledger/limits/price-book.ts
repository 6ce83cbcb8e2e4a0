import { PriceBook as PlatformPriceBook } from '../../../platform/money/price-book.js';

export { PRICE_SUBJECT, startPriceSubscription, type PriceEntry } from '../../../platform/money/price-book.js';

/** The ledger's price book: platform/money's PriceBook over `ledger.price`. */
export class PriceBook extends PlatformPriceBook {
  constructor(maxAgeMs: number, now: () => Date = () => new Date()) {
    super('ledger.price', maxAgeMs, now);
  }
}
