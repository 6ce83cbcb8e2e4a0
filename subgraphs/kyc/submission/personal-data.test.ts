import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_SECRETS, kycProcess } from '../../../platform/config/config.js';
import { parseMasterKeys } from '../../../platform/config/master-keys.js';
import { PersonalDataCipher, PersonalDataTamperedError } from './personal-data.js';

const k = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const cipherOf = (keys: string, current?: string, index = 7) =>
  new PersonalDataCipher({
    keys: parseMasterKeys(keys, current),
    blindIndexKey: () => Buffer.alloc(32, index),
  });
const ID = 'kyc_00000000000000000000000001';
const OTHER = 'kyc_00000000000000000000000002';

describe('PersonalDataCipher', () => {
  it('seals each value without its plaintext, a fresh IV each time, and opens it with the same row and field', () => {
    const c = cipherOf(`a:${k(1)}`);
    const sealed = c.seal(ID, 'nationalId', '0499370899');
    expect(sealed).toMatch(/^v1\.a\./);
    expect(sealed).not.toContain('0499370899');
    expect(Buffer.from(sealed.split('.')[3]!, 'base64').toString('latin1')).not.toContain('0499370899');
    expect(c.seal(ID, 'nationalId', '0499370899')).not.toBe(sealed);
    expect(c.open(ID, 'nationalId', sealed)).toBe('0499370899');
    expect(c.open(ID, 'firstName', c.seal(ID, 'firstName', 'زهرا'))).toBe('زهرا');
  });

  it('refuses a value moved to another row or field, an altered byte, a cut value and an unknown key', () => {
    const c = cipherOf(`a:${k(1)}`);
    const sealed = c.seal(ID, 'firstName', 'زهرا');
    expect(() => c.open(OTHER, 'firstName', sealed)).toThrow(PersonalDataTamperedError);
    expect(() => c.open(ID, 'lastName', sealed)).toThrow(/lastName: failed authentication/);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64');
    body[0] = body[0]! ^ 1;
    const flipped = [...parts.slice(0, 3), body.toString('base64'), parts[4]].join('.');
    expect(() => c.open(ID, 'firstName', flipped)).toThrow(/failed authentication/);
    expect(() => c.open(ID, 'firstName', sealed.slice(0, -4))).toThrow(/not a sealed value/);
    expect(() => cipherOf(`b:${k(2)}`).open(ID, 'firstName', sealed)).toThrow(/key "a", not configured/);
    // another key under the same id is refused too
    expect(() => cipherOf(`a:${k(3)}`).open(ID, 'firstName', sealed)).toThrow(/failed authentication/);
  });

  it('rotates: new values under the current key, old ones still open while their key is configured', () => {
    const old = cipherOf(`a:${k(1)}`).seal(ID, 'phone', '+989121234567');
    const both = cipherOf(`a:${k(1)},b:${k(2)}`);
    expect(both.seal(ID, 'phone', '+989121234567')).toMatch(/^v1\.b\./);
    expect(both.open(ID, 'phone', old)).toBe('+989121234567');
  });

  it('blind index: the same for the same national ID under one key, different for another ID or key', () => {
    const c = cipherOf(`a:${k(1)}`);
    const index = c.nationalIdIndex('0499370899');
    expect(index).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(cipherOf(`b:${k(2)}`).nationalIdIndex('0499370899')).toBe(index); // independent of the data keys
    expect(c.nationalIdIndex('0013542419')).not.toBe(index);
    expect(cipherOf(`a:${k(1)}`, undefined, 8).nationalIdIndex('0499370899')).not.toBe(index);
  });

  it('prints no key material', () => {
    const c = cipherOf(`a:${k(9)}`);
    for (const shown of [JSON.stringify(c), inspect(c), inspect({ c }, { depth: 5 })]) {
      expect(shown).not.toContain(k(9));
      expect(shown).not.toContain(k(7));
    }
  });
});

describe('KYC_DATA_KEYS / KYC_BLIND_INDEX_KEY', () => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      kycProcess.load(env);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it('outside production: the dev-only keys, named in devDefaultsUsed; KYC_DATA_KEY_ID picks the current key', () => {
    const config = kycProcess.load({});
    expect(config.kycDataKeys.keys.ids).toEqual(['dev-only']);
    expect(config.devDefaultsUsed).toEqual(expect.arrayContaining(['KYC_DATA_KEYS', 'KYC_BLIND_INDEX_KEY']));
    const chosen = kycProcess.load({ KYC_DATA_KEYS: `a:${k(1)},b:${k(2)}`, KYC_DATA_KEY_ID: 'a' });
    expect(chosen.kycDataKeys.keys.currentId).toBe('a');
    expect(problems({ KYC_DATA_KEYS: `a:${k(1)}`, KYC_DATA_KEY_ID: 'z' }).join('\n')).toMatch(
      /KYC_DATA_KEY_ID "z" is not one of the configured ids/,
    );
  });

  it('production: required, the dev-only keys refused, the index key must differ from the data keys', () => {
    const prod = { NODE_ENV: 'production' };
    const missing = problems(prod).join('\n');
    expect(missing).toMatch(/KYC_DATA_KEYS: required in production/);
    expect(missing).toMatch(/KYC_BLIND_INDEX_KEY: required in production/);
    const dev = problems({
      ...prod,
      KYC_DATA_KEYS: `mine:${DEV_SECRETS.KYC_DATA_KEYS.split(':')[1]!}`,
      KYC_BLIND_INDEX_KEY: DEV_SECRETS.KYC_BLIND_INDEX_KEY,
    }).join('\n');
    expect(dev).toMatch(/KYC_DATA_KEYS: the dev-only key is refused in production/);
    expect(dev).toMatch(/KYC_BLIND_INDEX_KEY: the dev-only key is refused in production/);
    const same = problems({ ...prod, KYC_DATA_KEYS: `a:${k(4)}`, KYC_BLIND_INDEX_KEY: k(4) }).join('\n');
    expect(same).toMatch(/KYC_BLIND_INDEX_KEY: must differ from every KYC_DATA_KEYS key/);
    const fine = problems({ ...prod, KYC_DATA_KEYS: `a:${k(4)}`, KYC_BLIND_INDEX_KEY: k(5) }).join('\n');
    expect(fine).not.toMatch(/KYC_/);
    // never the key itself in a problem
    expect(same).not.toContain(k(4));
  });
});
