import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { MasterKeyConfigError, TamperedCiphertextError, WrongMasterKeyError } from './envelope.errors.js';

export { MasterKeyConfigError, TamperedCiphertextError, WrongMasterKeyError } from './envelope.errors.js';

/**
 * Envelope encryption for custody secrets (mnemonics):
 *   secret  --AES-256-GCM(data key, AAD = row binding)-->  ciphertext, iv, authTag
 *   data key (random 32 bytes per secret) --AES-256-GCM(master key, AAD = key id)--> wrappedDataKey, wrapIv, wrapTag
 * Rotation re-wraps the data key only; the secret's ciphertext never changes and is never decrypted.
 */
export interface SealedSecret {
  ciphertext: string;
  iv: string;
  authTag: string;
  wrappedDataKey: string;
  wrapIv: string;
  wrapTag: string;
  masterKeyId: string;
  /** Fingerprint of the master key that wrapped the data key: tells a wrong key from tampering. */
  masterKeyCheck: string;
}

export interface MasterKeyEntry {
  id: string;
  /** 32 random bytes. */
  key: Uint8Array;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CHECK_LABEL = 'custody-envelope/master-key-check/v1';
const SECRET_AAD_PREFIX = 'custody-envelope/secret/v1\0';
const WRAP_AAD_PREFIX = 'custody-envelope/wrap/v1\0';
const KEY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/u;

/** HMAC-SHA256(master key, fixed label), base64: safe to store and log, reveals nothing of the key. */
export function masterKeyFingerprint(key: Uint8Array): string {
  return createHmac('sha256', key).update(CHECK_LABEL).digest('base64');
}

/**
 * The configured master keys, one of them current (used to seal and as the rewrap target by
 * default). Holds private copies of the keys; never prints them (toJSON/inspect show ids only).
 */
/** Key material lives here, reachable only from this module: no method hands a key out. */
const KEY_MATERIAL = new WeakMap<MasterKeyring, Map<string, Buffer>>();

function keyFor(keyring: MasterKeyring, id: string): Buffer {
  const key = KEY_MATERIAL.get(keyring)?.get(id);
  if (!key) throw new WrongMasterKeyError(id, 'not in the configured keyring');
  return key;
}

export class MasterKeyring {
  readonly #keys = new Map<string, Buffer>();
  readonly #fingerprints = new Map<string, string>();
  readonly currentId: string;

  constructor(entries: readonly MasterKeyEntry[], currentId: string) {
    if (entries.length === 0) throw new MasterKeyConfigError('no master keys configured');
    for (const { id, key } of entries) {
      if (!KEY_ID_PATTERN.test(id)) throw new MasterKeyConfigError(`invalid key id ${JSON.stringify(id)}`);
      if (this.#keys.has(id)) throw new MasterKeyConfigError(`duplicate key id "${id}"`);
      if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
        throw new MasterKeyConfigError(`key "${id}" must be exactly ${KEY_BYTES} bytes`);
      }
      if (key.every((b) => b === 0)) throw new MasterKeyConfigError(`key "${id}" is all zeros`);
      const copy = Buffer.alloc(KEY_BYTES);
      copy.set(key);
      this.#keys.set(id, copy);
      this.#fingerprints.set(id, masterKeyFingerprint(copy));
    }
    if (!this.#keys.has(currentId)) throw new MasterKeyConfigError(`current key id "${currentId}" is not configured`);
    this.currentId = currentId;
    KEY_MATERIAL.set(this, this.#keys);
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** Fingerprint of a configured key; compare against stored fingerprints at start-up. */
  fingerprint(id: string): string {
    const fp = this.#fingerprints.get(id);
    if (fp === undefined) throw new WrongMasterKeyError(id, 'not in the configured keyring');
    return fp;
  }

  /** Overwrites the key copies; the keyring is unusable afterwards. */
  destroy(): void {
    for (const key of this.#keys.values()) key.fill(0);
    this.#keys.clear();
  }

  toJSON(): { currentId: string; ids: string[] } {
    return { currentId: this.currentId, ids: this.ids };
  }

  [inspect.custom](): string {
    return `MasterKeyring { currentId: ${this.currentId}, ids: [${this.ids.join(', ')}] }`;
  }
}

/** Build a keyring from config; `currentId` defaults to the last entry. */
export function createMasterKeyring(entries: readonly MasterKeyEntry[], currentId?: string): MasterKeyring {
  const last = entries[entries.length - 1];
  return new MasterKeyring(entries, currentId ?? last?.id ?? '');
}

/**
 * Start-up check: every stored fingerprint (key id → fingerprint, e.g. from the database) must
 * match the configured key with that id. Throws WrongMasterKeyError naming the first mismatch.
 */
export function assertMasterKeysMatch(keyring: MasterKeyring, expected: Readonly<Record<string, string>>): void {
  for (const [id, fingerprint] of Object.entries(expected)) {
    if (!keyring.has(id)) throw new WrongMasterKeyError(id, 'required by stored secrets but not configured');
    if (!sameText(keyring.fingerprint(id), fingerprint)) {
      throw new WrongMasterKeyError(id, 'configured key does not match the key that sealed the stored secrets');
    }
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function fromB64(value: unknown, field: string, length?: number): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/u.test(value) || value.length % 4 !== 0) {
    throw new TamperedCiphertextError(`${field} is not base64`);
  }
  const bytes = Buffer.from(value, 'base64');
  if (length !== undefined && bytes.length !== length) {
    throw new TamperedCiphertextError(`${field} must be ${length} bytes`);
  }
  return bytes;
}

function assertAad(aad: string): void {
  if (typeof aad !== 'string' || aad.length === 0) {
    throw new TypeError('associated data (the row binding) must be a non-empty string');
  }
}

interface GcmOutput {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
}

function gcmEncrypt(key: Buffer, plaintext: Uint8Array, aad: string): GcmOutput {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag() };
}

/**
 * Returns null when authentication fails. The plaintext is copied into its own (unpooled) buffer
 * and the intermediate chunks, which Node may carve out of a shared pool, are zeroed.
 */
function gcmDecrypt(key: Buffer, { ciphertext, iv, tag }: GcmOutput, aad: string): Buffer | null {
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  const first = decipher.update(ciphertext);
  let last: Buffer;
  try {
    last = decipher.final();
  } catch {
    first.fill(0);
    return null;
  }
  const out = Buffer.alloc(first.length + last.length);
  first.copy(out, 0);
  last.copy(out, first.length);
  first.fill(0);
  last.fill(0);
  return out;
}

function wrapAad(masterKeyId: string): string {
  return WRAP_AAD_PREFIX + masterKeyId;
}

/** Checks the sealed record names a configured key whose fingerprint matches, then unwraps. */
function unwrapDataKey(sealed: SealedSecret, keyring: MasterKeyring): Buffer {
  const { masterKeyId } = sealed;
  if (typeof masterKeyId !== 'string' || !keyring.has(masterKeyId)) {
    throw new WrongMasterKeyError(String(masterKeyId), 'not in the configured keyring');
  }
  if (typeof sealed.masterKeyCheck !== 'string' || !sameText(keyring.fingerprint(masterKeyId), sealed.masterKeyCheck)) {
    throw new WrongMasterKeyError(masterKeyId, 'configured key is not the key this secret was sealed with');
  }
  const wrapped: GcmOutput = {
    ciphertext: fromB64(sealed.wrappedDataKey, 'wrappedDataKey', KEY_BYTES),
    iv: fromB64(sealed.wrapIv, 'wrapIv', IV_BYTES),
    tag: fromB64(sealed.wrapTag, 'wrapTag', TAG_BYTES),
  };
  const dataKey = gcmDecrypt(keyFor(keyring, masterKeyId), wrapped, wrapAad(masterKeyId));
  if (!dataKey) throw new TamperedCiphertextError('wrapped data key failed authentication');
  return dataKey;
}

/**
 * Encrypts `plaintext` under a fresh random data key, wraps the data key under the current master
 * key. `aad` binds the ciphertext to its row (e.g. `wallet.hd_root:<id>`): opening it with another
 * binding fails.
 */
export function sealSecret(plaintext: Uint8Array, masterKeys: MasterKeyring, aad: string): SealedSecret {
  assertAad(aad);
  if (!(plaintext instanceof Uint8Array) || plaintext.length === 0)
    throw new TypeError('plaintext must be non-empty bytes');
  const masterKeyId = masterKeys.currentId;
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const secret = gcmEncrypt(dataKey, plaintext, SECRET_AAD_PREFIX + aad);
    const wrap = gcmEncrypt(keyFor(masterKeys, masterKeyId), dataKey, wrapAad(masterKeyId));
    return {
      ciphertext: b64(secret.ciphertext),
      iv: b64(secret.iv),
      authTag: b64(secret.tag),
      wrappedDataKey: b64(wrap.ciphertext),
      wrapIv: b64(wrap.iv),
      wrapTag: b64(wrap.tag),
      masterKeyId,
      masterKeyCheck: masterKeys.fingerprint(masterKeyId),
    };
  } finally {
    dataKey.fill(0);
  }
}

/** Decrypts a sealed secret. The caller owns the returned buffer and should zero it after use. */
export function openSecret(sealed: SealedSecret, keyring: MasterKeyring, aad: string): Uint8Array {
  assertAad(aad);
  const dataKey = unwrapDataKey(sealed, keyring);
  try {
    const body: GcmOutput = {
      ciphertext: fromB64(sealed.ciphertext, 'ciphertext'),
      iv: fromB64(sealed.iv, 'iv', IV_BYTES),
      tag: fromB64(sealed.authTag, 'authTag', TAG_BYTES),
    };
    const plaintext = gcmDecrypt(dataKey, body, SECRET_AAD_PREFIX + aad);
    if (!plaintext) throw new TamperedCiphertextError('ciphertext or associated data failed authentication');
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.length);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Re-wraps the data key under `newKeyId` (default: the keyring's current id). The secret's
 * ciphertext, IV and tag are untouched and never decrypted. Idempotent: a secret already wrapped
 * by `newKeyId` is verified (its wrap must authenticate) and returned unchanged, so a rotation
 * interrupted half-way can simply be re-run, even after the old key was removed.
 */
export function rewrapDataKey(
  sealed: SealedSecret,
  keyring: MasterKeyring,
  newKeyId: string = keyring.currentId,
): SealedSecret {
  if (!keyring.has(newKeyId)) throw new WrongMasterKeyError(newKeyId, 'rewrap target is not in the configured keyring');
  const dataKey = unwrapDataKey(sealed, keyring);
  try {
    if (sealed.masterKeyId === newKeyId) return { ...sealed };
    const wrap = gcmEncrypt(keyFor(keyring, newKeyId), dataKey, wrapAad(newKeyId));
    return {
      ...sealed,
      wrappedDataKey: b64(wrap.ciphertext),
      wrapIv: b64(wrap.iv),
      wrapTag: b64(wrap.tag),
      masterKeyId: newKeyId,
      masterKeyCheck: keyring.fingerprint(newKeyId),
    };
  } finally {
    dataKey.fill(0);
  }
}
