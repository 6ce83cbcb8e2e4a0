import { z } from 'zod';
import { DomainError } from '../errors.js';
import { parseAmount } from '../money/amount.js';
import { ASSETS, NETWORKS, assetInfo, type Network } from '../money/assets.js';
import { section } from './env.js';

const coldShape = {
  TREASURY_ETH_COLD_ADDRESS: z.string().min(1).optional(),
  TREASURY_BSC_COLD_ADDRESS: z.string().min(1).optional(),
  TREASURY_TRON_COLD_ADDRESS: z.string().min(1).optional(),
  TREASURY_TON_COLD_ADDRESS: z.string().min(1).optional(),
};

/** The address forms per network (checksums and TON flags are checked by the wallet at start: chains/address). */
const ADDRESS_FORM: Record<Network, RegExp> = {
  ETH: /^0x[0-9a-fA-F]{40}$/,
  BSC: /^0x[0-9a-fA-F]{40}$/,
  TRON: /^T[1-9A-HJ-NP-Za-km-z]{33}$/,
  TON: /^([A-Za-z0-9_+/-]{48}|-?\d+:[0-9a-fA-F]{64})$/,
};

/**
 * The cold wallet per network (watch-only: the platform never holds its key); null when not configured (reserves
 * count no cold holdings; the treasury moves nothing to cold).
 */
export const treasuryColdWallets = section(coldShape, (e, ctx): Record<Network, string | null> => {
  const out = {} as Record<Network, string | null>;
  for (const network of NETWORKS) {
    const variable = `TREASURY_${network}_COLD_ADDRESS` as keyof typeof coldShape;
    const given = e[variable];
    if (!given) {
      out[network] = null;
      continue;
    }
    if (!ADDRESS_FORM[network].test(given)) ctx.problem(variable, `not a ${network} address`);
    out[network] = given;
  }
  return out;
});

export interface HotWalletBand {
  /** Below this the hot wallet cannot serve withdrawals for long: alert. null = no floor. */
  floor: bigint | null;
  /** Above this the excess goes to cold. null = no ceiling. */
  ceiling: bigint | null;
}

/** TREASURY_HOT_BANDS: `SYMBOL:FLOOR:CEILING,…` in the asset's unit; `-` = none. Unlisted assets have neither. */
export function parseHotBands(text: string): Record<string, HotWalletBand> {
  const given = new Map<string, [string, string]>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [symbol, floor, ceiling, ...rest] = part.split(':');
    if (!symbol || floor === undefined || ceiling === undefined || rest.length)
      throw new Error(`"${part}" is not SYMBOL:FLOOR:CEILING`);
    const asset = assetInfo(symbol);
    if (!asset || asset.network === null) throw new Error(`"${symbol}" is not a crypto asset of the catalogue`);
    if (given.has(symbol)) throw new Error(`${symbol} is listed twice`);
    given.set(symbol, [floor, ceiling]);
  }
  const out: Record<string, HotWalletBand> = {};
  for (const asset of ASSETS) {
    if (asset.network === null) continue;
    const [floor, ceiling] = given.get(asset.symbol) ?? ['-', '-'];
    const amount = (text: string) => {
      if (text === '-') return null;
      try {
        return parseAmount(text, asset.decimals, asset.symbol);
      } catch (err) {
        if (err instanceof DomainError) throw new Error(`${asset.symbol}: "${text}" is not an amount`);
        throw err;
      }
    };
    const band = { floor: amount(floor), ceiling: amount(ceiling) };
    if (band.floor !== null && band.ceiling !== null && band.floor >= band.ceiling)
      throw new Error(`${asset.symbol}: the floor must be below the ceiling`);
    out[asset.symbol] = band;
  }
  return out;
}

export const treasuryBands = section(
  { TREASURY_HOT_BANDS: z.string().default('') },
  (e, ctx): Record<string, HotWalletBand> =>
    ctx.parse<Record<string, HotWalletBand>>('TREASURY_HOT_BANDS', {}, () => parseHotBands(e.TREASURY_HOT_BANDS)),
);
