import { HDKey } from '@scure/bip32';
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import {
  generateMnemonic,
  InvalidMnemonicError,
  mnemonicToSeed,
  normalizeMnemonic,
  phraseToSeed,
  validateMnemonic,
} from './mnemonic.js';
import { BIP39_ENGLISH_VECTORS, BIP39_PASSPHRASE } from './mnemonic.vectors.js';

describe('BIP39 official English vectors (passphrase TREZOR)', () => {
  it('embeds the full English set, including 24-word phrases', () => {
    expect(BIP39_ENGLISH_VECTORS).toHaveLength(24);
    expect(BIP39_ENGLISH_VECTORS.filter(([, m]) => m.split(' ').length === 24).length).toBeGreaterThanOrEqual(8);
  });

  it.each(BIP39_ENGLISH_VECTORS.map((v, i) => [i, ...v] as const))(
    'vector %i: entropy → mnemonic → seed → root xprv',
    async (_i, entropy, mnemonic, seed, xprv) => {
      expect(entropyToMnemonic(hex.decode(entropy), wordlist)).toBe(mnemonic);
      expect(hex.encode(mnemonicToEntropy(mnemonic, wordlist))).toBe(entropy);
      expect(validateMnemonic(mnemonic)).toBe(true);
      const derived = await mnemonicToSeed(mnemonic, BIP39_PASSPHRASE);
      expect(hex.encode(derived)).toBe(seed);
      expect(HDKey.fromMasterSeed(derived).privateExtendedKey).toBe(xprv);
    },
  );
});

describe('generateMnemonic', () => {
  it('makes valid 24-word phrases from fresh randomness', () => {
    const phrases = new Set(Array.from({ length: 20 }, () => generateMnemonic()));
    expect(phrases.size).toBe(20);
    for (const phrase of phrases) {
      expect(phrase.split(' ')).toHaveLength(24);
      expect(validateMnemonic(phrase)).toBe(true);
      expect(mnemonicToEntropy(phrase, wordlist)).toHaveLength(32);
    }
  });
});

describe('validateMnemonic / mnemonicToSeed', () => {
  const about = BIP39_ENGLISH_VECTORS[0]![1];

  it('rejects a bad checksum, an unknown word and a wrong word count', () => {
    expect(validateMnemonic(about.replace(/about$/u, 'abandon'))).toBe(false);
    expect(validateMnemonic(about.replace(/about$/u, 'bitcoin1'))).toBe(false);
    expect(validateMnemonic('abandon abandon abandon')).toBe(false);
    expect(validateMnemonic('')).toBe(false);
  });

  it('tolerates surrounding and repeated whitespace without changing the seed', async () => {
    expect(normalizeMnemonic(`  ${about.replaceAll(' ', '  \n')}\n`)).toBe(about);
    const a = await mnemonicToSeed(about);
    const b = await mnemonicToSeed(`\t${about.replaceAll(' ', '   ')}  `);
    expect(hex.encode(b)).toBe(hex.encode(a));
    // The well-known seed of "abandon … about" with an empty passphrase.
    expect(hex.encode(a)).toBe(
      '5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4',
    );
  });

  it('refuses to derive a seed from an invalid phrase, without echoing it', async () => {
    const bad = about.replace(/about$/u, 'zoo');
    const error = await mnemonicToSeed(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidMnemonicError);
    expect(String((error as Error).message)).not.toContain('abandon');
  });
});

describe('phraseToSeed (stored phrase bytes → seed, no string)', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it.each(BIP39_ENGLISH_VECTORS.map(([, mnemonic]) => mnemonic))(
    'equals mnemonicToSeed without passphrase: %s',
    async (mnemonic) => {
      expect(hex.encode(await phraseToSeed(bytes(mnemonic)))).toBe(hex.encode(await mnemonicToSeed(mnemonic)));
    },
  );

  it('matches for a fresh 24-word phrase', async () => {
    const phrase = generateMnemonic();
    expect(hex.encode(await phraseToSeed(bytes(phrase)))).toBe(hex.encode(await mnemonicToSeed(phrase)));
  });

  it('refuses bytes that are not a normalized phrase, without echoing them', async () => {
    const about = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
    for (const bad of [` ${about}`, `${about}\n`, about.replace(' ', '  '), about.toUpperCase(), 'abandon about', '']) {
      const error = await phraseToSeed(bytes(bad)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidMnemonicError);
      expect(String((error as Error).message)).not.toContain('abandon');
    }
  });
});
