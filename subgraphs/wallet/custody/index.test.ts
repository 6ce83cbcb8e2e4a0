import { describe, expect, it } from 'vitest';
import * as custody from './index.js';

describe('custody public surface', () => {
  it('exposes derivation, envelope and signers', () => {
    for (const name of [
      'generateMnemonic',
      'validateMnemonic',
      'mnemonicToSeed',
      'derivationPath',
      'deriveAddress',
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

  it('leaves networks and address codecs to chains/ (watchers and providers need them without key handling)', () => {
    const names = Object.keys(custody);
    for (const name of [
      'NETWORKS',
      'isNetwork',
      'validateAddress',
      'encodeTonAddress',
      'decodeTronAddress',
      'toChecksumAddress',
      'walletV4R2StateInit',
    ]) {
      expect(names, name).not.toContain(name);
    }
  });

  it('does not expose a way to get at private keys', () => {
    const names = Object.keys(custody);
    expect(names).not.toContain('withPrivateKey');
    expect(names.filter((n) => /private|secretKey|keyFor/iu.test(n))).toEqual([]);
  });
});
