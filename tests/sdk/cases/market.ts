import { expect } from 'vitest';
import {
  AssetWithPricesDocument,
  AssetsDocument,
  ChartDocument,
  PriceUpdatedDocument,
  PricesDocument,
} from '../../../clients/sdk/index.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import type { Person } from '../world.js';

const s = {} as { user: Person };

export const marketCases: SdkCaseFile = {
  file: 'market.graphql',
  async setup(world) {
    s.user = await world.newUser();
  },
  cases: [
    sdkCase(AssetsDocument)({
      as: () => null,
      variables: () => ({ enabled: true }),
      check: (data) => expect(data.assets.map((a) => a.symbol)).toEqual(expect.arrayContaining(['TON', 'IRT', 'ETH'])),
    }),
    sdkCase(AssetWithPricesDocument)({
      as: () => null,
      variables: () => ({ symbol: 'TON' }),
      check: (data) => {
        expect(data.asset).toMatchObject({ symbol: 'TON', decimals: 9 });
        expect(data.asset!.usd!.quote).toBe('USD');
        expect(data.asset!.irt!.quote).toBe('IRT');
      },
    }),
    sdkCase(PricesDocument)({
      as: () => null,
      variables: () => ({ symbols: ['TON', 'ETH', 'USDT_TRON'], quote: 'USD' }),
      check: (data) => expect(data.prices.map((p) => p?.symbol)).toEqual(['TON', 'ETH', 'USDT_TRON']),
    }),
    sdkCase(ChartDocument)({
      as: () => null,
      variables: () => ({ symbol: 'TON', quote: 'USD', timeframe: 'M1' }),
      check: (data) => expect(data.asset!.symbol).toBe('TON'),
    }),
    sdkCase(PriceUpdatedDocument)({
      as: () => s.user,
      variables: () => ({ symbols: ['TON'], quote: 'USD' }),
      cause: (world) => world.refreshPrices(),
      check: (data) => expect(data.priceUpdated).toMatchObject({ symbol: 'TON', quote: 'USD' }),
    }),
  ],
};
