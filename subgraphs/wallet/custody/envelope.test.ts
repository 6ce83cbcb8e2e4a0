import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  assertMasterKeysMatch,
  createMasterKeyring,
  MasterKeyConfigError,
  masterKeyFingerprint,
  openSecret,
  rewrapDataKey,
  sealSecret,
  TamperedCiphertextError,
  WrongMasterKeyError,
  type SealedSecret,
} from './envelope.js';

const MNEMONIC =
  'legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title';
const ROW = 'wallet.hd_root:hdr_01JD0000000000000000000000';
const plaintext = () => new TextEncoder().encode(MNEMONIC);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const k1 = randomBytes(32);
const k2 = randomBytes(32);

/** Flip one bit of a base64 field. */
function flip(value: string, byte = 0): string {
  const bytes = Buffer.from(value, 'base64');
  bytes[byte] = bytes[byte]! ^ 0x01;
  return bytes.toString('base64');
}

describe('envelope: seal and open', () => {
  const ring = createMasterKeyring([{ id: 'mk-2026-01', key: k1 }]);

  it('round-trips and never stores the plaintext or the data key in the record', () => {
    const sealed = sealSecret(plaintext(), ring, ROW);
    expect(Object.keys(sealed).sort()).toEqual(
      ['authTag', 'ciphertext', 'iv', 'masterKeyCheck', 'masterKeyId', 'wrapIv', 'wrapTag', 'wrappedDataKey'].sort(),
    );
    expect(sealed.masterKeyId).toBe('mk-2026-01');
    const serialized = JSON.stringify(sealed);
    for (const word of new Set(MNEMONIC.split(' '))) expect(serialized).not.toContain(word);
    expect(serialized).not.toContain(k1.toString('base64'));
    const opened = openSecret(sealed, ring, ROW);
    expect(text(opened)).toBe(MNEMONIC);
    expect(opened.buffer.byteLength).toBe(opened.length); // its own memory, not a shared pool slab
  });

  it('uses a fresh data key and IVs per secret', () => {
    const a = sealSecret(plaintext(), ring, ROW);
    const b = sealSecret(plaintext(), ring, ROW);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.iv).not.toBe(b.iv);
    expect(a.wrappedDataKey).not.toBe(b.wrappedDataKey);
    expect(a.wrapIv).not.toBe(b.wrapIv);
  });

  it('a wrong master key is a WrongMasterKeyError, not garbage', () => {
    const sealed = sealSecret(plaintext(), ring, ROW);
    const impostor = createMasterKeyring([{ id: 'mk-2026-01', key: k2 }]);
    expect(() => openSecret(sealed, impostor, ROW)).toThrow(WrongMasterKeyError);
    const missing = createMasterKeyring([{ id: 'other', key: k1 }]);
    expect(() => openSecret(sealed, missing, ROW)).toThrow(WrongMasterKeyError);
    try {
      openSecret(sealed, impostor, ROW);
    } catch (error) {
      expect((error as WrongMasterKeyError).code).toBe('WRONG_MASTER_KEY');
      expect((error as Error).message).toContain('mk-2026-01');
    }
  });

  it.each<[string, (s: SealedSecret) => SealedSecret]>([
    ['ciphertext', (s) => ({ ...s, ciphertext: flip(s.ciphertext, 5) })],
    ['iv', (s) => ({ ...s, iv: flip(s.iv) })],
    ['authTag', (s) => ({ ...s, authTag: flip(s.authTag, 15) })],
    ['wrappedDataKey', (s) => ({ ...s, wrappedDataKey: flip(s.wrappedDataKey, 31) })],
    ['wrapIv', (s) => ({ ...s, wrapIv: flip(s.wrapIv) })],
    ['wrapTag', (s) => ({ ...s, wrapTag: flip(s.wrapTag) })],
    [
      'truncated ciphertext',
      (s) => ({ ...s, ciphertext: Buffer.from(s.ciphertext, 'base64').subarray(1).toString('base64') }),
    ],
    ['short tag', (s) => ({ ...s, authTag: Buffer.from(s.authTag, 'base64').subarray(0, 12).toString('base64') })],
    ['non-base64', (s) => ({ ...s, iv: '!!!!' })],
  ])('tampered %s → TamperedCiphertextError', (_field, tamper) => {
    const sealed = sealSecret(plaintext(), ring, ROW);
    expect(() => openSecret(tamper(sealed), ring, ROW)).toThrow(TamperedCiphertextError);
  });

  it('another row binding (associated data) → TamperedCiphertextError', () => {
    const sealed = sealSecret(plaintext(), ring, ROW);
    expect(() => openSecret(sealed, ring, `${ROW}x`)).toThrow(TamperedCiphertextError);
    expect(() => openSecret(sealed, ring, 'wallet.hd_root:hdr_other')).toThrow(TamperedCiphertextError);
    expect(() => openSecret(sealed, ring, '')).toThrow(TypeError);
  });

  it('swapping the wrap of one secret onto another is refused', () => {
    const a = sealSecret(plaintext(), ring, ROW);
    const b = sealSecret(new TextEncoder().encode('other secret'), ring, ROW);
    const swapped = { ...a, wrappedDataKey: b.wrappedDataKey, wrapIv: b.wrapIv, wrapTag: b.wrapTag };
    expect(() => openSecret(swapped, ring, ROW)).toThrow(TamperedCiphertextError);
  });
});

describe('envelope: rotation', () => {
  it('rewraps the data key under the new key, leaving the ciphertext untouched', () => {
    const old = createMasterKeyring([{ id: 'mk-1', key: k1 }]);
    const sealed = sealSecret(plaintext(), old, ROW);
    const both = createMasterKeyring(
      [
        { id: 'mk-1', key: k1 },
        { id: 'mk-2', key: k2 },
      ],
      'mk-2',
    );
    const rewrapped = rewrapDataKey(sealed, both, 'mk-2');
    expect(rewrapped.masterKeyId).toBe('mk-2');
    expect(rewrapped.ciphertext).toBe(sealed.ciphertext);
    expect(rewrapped.iv).toBe(sealed.iv);
    expect(rewrapped.authTag).toBe(sealed.authTag);
    expect(rewrapped.wrappedDataKey).not.toBe(sealed.wrappedDataKey);

    const onlyNew = createMasterKeyring([{ id: 'mk-2', key: k2 }]);
    expect(text(openSecret(rewrapped, onlyNew, ROW))).toBe(MNEMONIC);
    expect(() => openSecret(sealed, onlyNew, ROW)).toThrow(WrongMasterKeyError);
  });

  it('is idempotent: re-running on an already rewrapped secret is a verified no-op, even without the old key', () => {
    const both = createMasterKeyring(
      [
        { id: 'mk-1', key: k1 },
        { id: 'mk-2', key: k2 },
      ],
      'mk-1',
    );
    const sealed = sealSecret(plaintext(), both, ROW);
    const once = rewrapDataKey(sealed, both, 'mk-2');
    const twice = rewrapDataKey(once, both, 'mk-2');
    expect(twice).toEqual(once);
    const onlyNew = createMasterKeyring([{ id: 'mk-2', key: k2 }]);
    const thrice = rewrapDataKey(once, onlyNew); // default target: the current id
    expect(thrice).toEqual(once);
    expect(text(openSecret(thrice, onlyNew, ROW))).toBe(MNEMONIC);
    // A tampered record is still refused on the no-op path.
    expect(() => rewrapDataKey({ ...once, wrapTag: flip(once.wrapTag) }, onlyNew)).toThrow(TamperedCiphertextError);
  });

  it('refuses an unknown target key id and a secret whose key is not configured', () => {
    const ring = createMasterKeyring([{ id: 'mk-1', key: k1 }]);
    const sealed = sealSecret(plaintext(), ring, ROW);
    expect(() => rewrapDataKey(sealed, ring, 'mk-9')).toThrow(WrongMasterKeyError);
    expect(() => rewrapDataKey(sealed, createMasterKeyring([{ id: 'mk-2', key: k2 }]))).toThrow(WrongMasterKeyError);
  });
});

describe('envelope: keyring and start-up check', () => {
  it('detects a wrong master key at start-up from stored fingerprints', () => {
    const ring = createMasterKeyring([{ id: 'mk-1', key: k1 }]);
    const stored = { 'mk-1': masterKeyFingerprint(k1) };
    expect(() => assertMasterKeysMatch(ring, stored)).not.toThrow();
    const wrong = createMasterKeyring([{ id: 'mk-1', key: k2 }]);
    expect(() => assertMasterKeysMatch(wrong, stored)).toThrow(WrongMasterKeyError);
    expect(() => assertMasterKeysMatch(ring, { 'mk-0': masterKeyFingerprint(k2) })).toThrow(/not configured/u);
    expect(masterKeyFingerprint(k1)).not.toContain(k1.toString('base64').slice(0, 12));
  });

  it('validates configuration', () => {
    expect(() => createMasterKeyring([])).toThrow(MasterKeyConfigError);
    expect(() => createMasterKeyring([{ id: 'a', key: randomBytes(16) }])).toThrow(/32 bytes/u);
    expect(() => createMasterKeyring([{ id: 'a', key: Buffer.alloc(32) }])).toThrow(/all zeros/u);
    expect(() =>
      createMasterKeyring([
        { id: 'a', key: k1 },
        { id: 'a', key: k2 },
      ]),
    ).toThrow(/duplicate/u);
    expect(() => createMasterKeyring([{ id: 'a', key: k1 }], 'b')).toThrow(/current key id/u);
    expect(() => createMasterKeyring([{ id: 'bad id!', key: k1 }])).toThrow(/invalid key id/u);
  });

  it('never prints key material and keeps its own copy of the keys', () => {
    const key = Buffer.from(k1);
    const ring = createMasterKeyring([{ id: 'mk-1', key }]);
    const sealed = sealSecret(plaintext(), ring, ROW);
    key.fill(0); // the caller wiping its config buffer does not break the keyring
    expect(text(openSecret(sealed, ring, ROW))).toBe(MNEMONIC);
    const shown = `${JSON.stringify(ring)} ${inspect(ring, { showHidden: true, depth: 5 })} ${String(Object.keys(ring))}`;
    expect(shown).not.toContain(k1.toString('hex').slice(0, 16));
    expect(shown).not.toContain(k1.toString('base64').slice(0, 16));
    expect(shown).toContain('mk-1');
    ring.destroy();
    expect(() => openSecret(sealed, ring, ROW)).toThrow(WrongMasterKeyError);
  });
});
