/**
 * Iranian banking APIs (Paystar, FinnoTech) speak Rial; the ledger keeps Toman (IRT, 0 decimals): 1 Toman = 10 Rial.
 * The provider clients convert here, once, and refuse a Rial amount that is not a whole number of Toman instead of
 * rounding it away.
 */
export class RialAmountError extends Error {
  constructor(
    readonly provider: string,
    readonly rial: string,
  ) {
    super(`${provider}: ${rial} Rial is not a whole number of Toman (not divisible by 10); refusing to round`);
    Object.defineProperty(this, 'name', { value: 'RialAmountError' });
  }
}

const DIGITS = /^-?\d+$/;

/** Rial (as the provider wrote it: digits, possibly zero-padded, optionally signed) → Toman. */
export function rialToToman(provider: string, rial: string | number | bigint): bigint {
  const text = String(rial).trim();
  if (!DIGITS.test(text)) throw new RialAmountError(provider, text);
  const value = BigInt(text);
  if (value % 10n !== 0n) throw new RialAmountError(provider, text);
  return value / 10n;
}

/** Toman → Rial for the wire (exact). */
export function tomanToRial(toman: bigint): bigint {
  return toman * 10n;
}

/** Rial as a JSON number; refuses what a double cannot hold exactly (beyond 2^53). */
export function rialAsJsonNumber(provider: string, toman: bigint): number {
  const rial = tomanToRial(toman);
  if (rial > BigInt(Number.MAX_SAFE_INTEGER) || rial < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${provider}: ${rial} Rial is beyond an exact JSON number`);
  return Number(rial);
}
