import {
  generateMnemonic as bip39Generate,
  mnemonicToSeed as bip39ToSeed,
  validateMnemonic as bip39Validate,
} from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';

/** A custody root is always 24 words: 256 bits of entropy. */
const CUSTODY_STRENGTH_BITS = 256;

export class InvalidMnemonicError extends Error {
  readonly code = 'INVALID_MNEMONIC';
  constructor() {
    // Never echo the phrase: it is the secret.
    super('mnemonic is not a valid English BIP39 phrase (word list or checksum)');
    this.name = 'InvalidMnemonicError';
  }
}

/**
 * Canonical spacing: words separated by one ASCII space, no leading or trailing blanks.
 * BIP39 seeds are computed over the NFKD string, so stray whitespace would change the seed.
 */
export function normalizeMnemonic(mnemonic: string): string {
  return mnemonic.normalize('NFKD').trim().split(/\s+/u).join(' ');
}

/** A fresh 24-word English mnemonic from the platform CSPRNG (crypto.getRandomValues). */
export function generateMnemonic(): string {
  return bip39Generate(wordlist, CUSTODY_STRENGTH_BITS);
}

/** True when every word is in the English list and the checksum matches (12–24 words). */
export function validateMnemonic(mnemonic: string): boolean {
  return bip39Validate(normalizeMnemonic(mnemonic), wordlist);
}

/**
 * BIP39 seed (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" + passphrase), 64 bytes.
 * Refuses an invalid phrase rather than deriving keys nobody can recover. The caller owns
 * the returned buffer and should `fill(0)` it when done.
 */
export async function mnemonicToSeed(mnemonic: string, passphrase = ''): Promise<Uint8Array> {
  const normalized = normalizeMnemonic(mnemonic);
  if (!bip39Validate(normalized, wordlist)) throw new InvalidMnemonicError();
  return bip39ToSeed(normalized, passphrase);
}
