import { describe, expect, it } from 'vitest';
import { rialAsJsonNumber, RialAmountError, rialToToman, tomanToRial } from './rial.js';

describe('Rial ↔ Toman', () => {
  it('converts exactly, including zero-padded bank amounts and amounts beyond 2^53', () => {
    expect(rialToToman('p', '0000000000012000')).toBe(1_200n);
    expect(rialToToman('p', 10_000)).toBe(1_000n);
    expect(rialToToman('p', '-50')).toBe(-5n);
    expect(rialToToman('p', '123456789012345678901230')).toBe(12345678901234567890123n);
    expect(tomanToRial(150_000n)).toBe(1_500_000n);
    expect(rialAsJsonNumber('p', 150_000n)).toBe(1_500_000);
  });

  it('refuses a Rial amount that is not a whole number of Toman, and text that is not an integer', () => {
    for (const bad of ['10005', '1', '-3', '12.0', '1e3', '', ' 10 0'])
      expect(() => rialToToman('finnotech', bad)).toThrow(RialAmountError);
    expect(() => rialToToman('paystar', 10_005)).toThrow(/10005 Rial is not a whole number of Toman/);
    expect(() => rialAsJsonNumber('p', 2n ** 53n)).toThrow(RangeError);
  });
});
