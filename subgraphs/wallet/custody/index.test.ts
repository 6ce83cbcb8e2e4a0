import { describe, expect, it } from 'vitest';
import * as custody from './index.js';

describe('custody public surface', () => {
  it('exposes derivation, validation, envelope and signers', () => {
    for (const name of [
      'generateMnemonic',
      'validateMnemonic',
      'mnemonicToSeed',
      'derivationPath',
      'deriveAddress',
      'validateAddress',
      'sealSecret',
      'openSecret',
      'rewrapDataKey',
      'createMasterKeyring',
      'assertMasterKeysMatch',
      'WrongMasterKeyError',
      'TamperedCiphertextError',
      'signEvmTransfer',
      'signTronTransfer',
      'signTonTransfer',
    ]) {
      expect(typeof (custody as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('does not expose a way to get at private keys', () => {
    const names = Object.keys(custody);
    expect(names).not.toContain('withPrivateKey');
    expect(names.filter((n) => /private|secretKey|keyFor/iu.test(n))).toEqual([]);
  });
});
