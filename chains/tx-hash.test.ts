import { describe, expect, it } from 'vitest';
import { normalizeTxHash } from './tx-hash.js';

const HEX = '21ec1985b5e2ebc9a25cd9b69f7e5bd03c3927dc88cb81700eef3f635863ecf1';

describe('normalizeTxHash', () => {
  it('EVM: 0x + lower-case hex, with or without 0x, any case, surrounding spaces ignored', () => {
    for (const input of [`0x${HEX}`, HEX, `0x${HEX.toUpperCase()}`, `  ${HEX}\n`]) {
      expect(normalizeTxHash('ETH', input)).toBe(`0x${HEX}`);
      expect(normalizeTxHash('BSC', input)).toBe(`0x${HEX}`);
    }
  });

  it('TRON: lower-case hex without 0x', () => {
    expect(normalizeTxHash('TRON', HEX.toUpperCase())).toBe(HEX);
    expect(normalizeTxHash('TRON', `0x${HEX}`)).toBe(HEX);
  });

  it('TON: hex, or the base64 and base64url forms of the same 32 bytes', () => {
    const bytes = Buffer.from(HEX, 'hex');
    expect(normalizeTxHash('TON', HEX.toUpperCase())).toBe(HEX);
    expect(normalizeTxHash('TON', bytes.toString('base64'))).toBe(HEX);
    expect(normalizeTxHash('TON', bytes.toString('base64url'))).toBe(HEX);
  });

  it('refuses anything that is not a 256-bit hash', () => {
    for (const input of ['', 'not-a-hash', HEX.slice(1), `${HEX}00`, `0x${HEX.slice(0, 63)}g`]) {
      for (const network of ['ETH', 'BSC', 'TRON', 'TON'] as const) expect(normalizeTxHash(network, input)).toBeNull();
    }
  });
});
