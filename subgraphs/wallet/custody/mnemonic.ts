import { pbkdf2 } from 'node:crypto';
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

const PHRASE_BYTES = /^[a-z]+( [a-z]+){11,23}$/u;

/**
 * The BIP39 seed (no passphrase) of a stored phrase held as bytes, so the secret never becomes an
 * unwipeable JavaScript string: native PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic". The bytes
 * must be a normalized English phrase (what `normalizeMnemonic` produces; English words are ASCII,
 * so NFKD leaves them unchanged). Equals `mnemonicToSeed(phrase)`; the caller zeroes the result.
 */
export async function phraseToSeed(phrase: Uint8Array): Promise<Uint8Array> {
  if (!(phrase instanceof Uint8Array) || phrase.length > 24 * 9 || !PHRASE_BYTES.test(latin1View(phrase))) {
    throw new InvalidMnemonicError();
  }
  const seed = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(phrase, 'mnemonic', 2048, 64, 'sha512', (err, key) => (err ? reject(err) : resolve(key))),
  );
  return new Uint8Array(seed.buffer, seed.byteOffset, seed.length);
}

/** Shape check without decoding the phrase into a string of words: each byte maps to one char code. */
function latin1View(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b === 0x20 || (b >= 0x61 && b <= 0x7a) ? (b === 0x20 ? ' ' : 'a') : '#';
  return out;
}
