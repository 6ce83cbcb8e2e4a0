import { describe, expect, it } from 'vitest';
import { parseMasterKeys } from '../config/master-keys.js';
import { FieldSealer, SealedFieldError } from './sealed-field.js';

const keys = (text: string, current?: string) => parseMasterKeys(text, current);
const K1 = 'k1:' + Buffer.alloc(32, 1).toString('base64');
const K2 = 'k2:' + Buffer.alloc(32, 2).toString('base64');
const FP = Uint8Array.from(Buffer.alloc(32, 9));

describe('FieldSealer (envelope encryption of one column value)', () => {
  it('opens what it sealed; the ciphertext does not contain the value and differs each time', () => {
    const s = new FieldSealer(keys(K1), FP);
    const a = s.seal('voucher/vch_1/code', 'IRRsecret');
    const b = s.seal('voucher/vch_1/code', 'IRRsecret');
    expect(a).not.toContain('IRRsecret');
    expect(a).not.toBe(b);
    expect(s.open('voucher/vch_1/code', a)).toBe('IRRsecret');
  });

  it('refuses a value moved to another row, altered, or sealed under an unknown key', () => {
    const s = new FieldSealer(keys(K1), FP);
    const sealed = s.seal('voucher/vch_1/code', 'X');
    expect(() => s.open('voucher/vch_2/code', sealed)).toThrow(SealedFieldError);
    const parts = sealed.split('.');
    parts[6] = Buffer.from('Y').toString('base64');
    expect(() => s.open('voucher/vch_1/code', parts.join('.'))).toThrow(SealedFieldError);
    expect(() => new FieldSealer(keys(K2), FP).open('voucher/vch_1/code', sealed)).toThrow(/not configured/);
  });

  it('keeps opening old values after a rotation (old key still listed)', () => {
    const old = new FieldSealer(keys(K1), FP).seal('b', 'v');
    const rotated = new FieldSealer(keys(`${K1},${K2}`), FP);
    expect(rotated.open('b', old)).toBe('v');
    expect(rotated.seal('b', 'v').split('.')[1]).toBe('k2');
  });

  it('fingerprints equal values equally, per label, and prints no key', () => {
    const s = new FieldSealer(keys(K1), FP);
    expect(s.fingerprint('HOT', 'c')).toBe(s.fingerprint('HOT', 'c'));
    expect(s.fingerprint('HOT', 'c')).not.toBe(s.fingerprint('PS', 'c'));
    expect(JSON.stringify(s)).toBe('{"currentId":"k1"}');
  });
});
