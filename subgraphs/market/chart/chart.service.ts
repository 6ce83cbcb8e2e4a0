import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors.js';
import { isAssetSymbol } from '../../../providers/price-source.port.js';
import type { Quote } from '../price/price.model.js';
import { CandleStore, TIMEFRAME_MS, type Candle, type Timeframe } from './candle.store.js';

export const MAX_CANDLES = 1000;
export const DEFAULT_CANDLES = 120;

export interface ChartRequest {
  coin: string;
  quote: Quote;
  timeframe: Timeframe;
  from?: Date | null;
  to?: Date | null;
}

/** Charts: range checks, then candles from the store. */
export class ChartService {
  constructor(
    private readonly store: CandleStore = new CandleStore(),
    private readonly now: () => Date = () => new Date(),
  ) {}

  async chart(em: EntityManager, request: ChartRequest): Promise<Candle[]> {
    if (!isAssetSymbol(request.coin)) return []; // Toman has no chart of its own
    const width = TIMEFRAME_MS[request.timeframe];
    const to = request.to ?? this.now();
    const from = request.from ?? new Date(to.getTime() - DEFAULT_CANDLES * width);
    if (from.getTime() >= to.getTime()) throw badInput('from must be before to', { field: 'from' });
    if ((to.getTime() - from.getTime()) / width > MAX_CANDLES) {
      throw badInput(
        `At most ${MAX_CANDLES} ${request.timeframe} candles per request: narrow from/to or pick a wider timeframe`,
        { field: 'from', max: MAX_CANDLES },
      );
    }
    return this.store.range(em, request.coin, request.quote, request.timeframe, from, to);
  }
}
