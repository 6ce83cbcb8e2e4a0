import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { MasterKeySet } from '../config/master-keys.js';

/**
 * Envelope encryption of one secret column value (e.g. a voucher code): a fresh 32-byte data key per value
 * encrypts it (AES-256-GCM, AAD = the caller's binding of row and column), and the master key (from a configured
 * `MasterKeySet`, rotatable by id) wraps the data key (AES-256-GCM, AAD = the key id and the same binding). Stored as
 * one text: `e1.<keyId>.<wrapIv>.<wrappedKey>.<wrapTag>.<iv>.<ciphertext>.<tag>` (base64 parts). A value altered,
 * or moved to another row or column, fails to open. Also a keyed fingerprint (HMAC-SHA256 under a separate key) for
 * lookups by value without decrypting. Prints no key material.
 */
export class SealedFieldError extends Error {
  override readonly name = 'SealedFieldError';
}

const IV = 12;
const TAG = 16;
const FORMAT = /^e1\.([A-Za-z0-9._-]{1,64})\.([^.]+)\.([^.]+)\.([^.]+)\.([^.]+)\.([^.]*)\.([^.]+)$/u;

export class FieldSealer {
  readonly #keys: Map<string, Buffer>;
  readonly #currentId: string;
  readonly #fingerprintKey: Buffer;

  constructor(keys: MasterKeySet, fingerprintKey: Uint8Array) {
    this.#keys = new Map(keys.entries().map(({ id, key }) => [id, Buffer.from(key)]));
    this.#currentId = keys.currentId;
    this.#fingerprintKey = Buffer.from(fingerprintKey);
  }

  seal(binding: string, value: string): string {
    const master = this.#keys.get(this.#currentId)!;
    const dataKey = randomBytes(32);
    const wrapIv = randomBytes(IV);
    const wrap = createCipheriv('aes-256-gcm', master, wrapIv, { authTagLength: TAG });
    wrap.setAAD(Buffer.from(`wrap\0${this.#currentId}\0${binding}`, 'utf8'));
    const wrapped = Buffer.concat([wrap.update(dataKey), wrap.final()]);
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG });
    cipher.setAAD(Buffer.from(`value\0${binding}`, 'utf8'));
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const out = [wrapIv, wrapped, wrap.getAuthTag(), iv, body, cipher.getAuthTag()].map((b) => b.toString('base64'));
    dataKey.fill(0);
    return ['e1', this.#currentId, ...out].join('.');
  }

  open(binding: string, sealed: string): string {
    const m = FORMAT.exec(sealed);
    if (!m) throw new SealedFieldError(`${binding}: not a sealed value`);
    const [, keyId, wrapIv, wrapped, wrapTag, iv, body, tag] = m;
    const master = this.#keys.get(keyId!);
    if (!master) throw new SealedFieldError(`${binding}: sealed under key "${keyId}", which is not configured`);
    const b64 = (s: string) => Buffer.from(s, 'base64');
    let dataKey: Buffer;
    try {
      const unwrap = createDecipheriv('aes-256-gcm', master, b64(wrapIv!), { authTagLength: TAG });
      unwrap.setAAD(Buffer.from(`wrap\0${keyId}\0${binding}`, 'utf8'));
      unwrap.setAuthTag(b64(wrapTag!));
      dataKey = Buffer.concat([unwrap.update(b64(wrapped!)), unwrap.final()]);
    } catch {
      throw new SealedFieldError(`${binding}: data key failed authentication`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, b64(iv!), { authTagLength: TAG });
      decipher.setAAD(Buffer.from(`value\0${binding}`, 'utf8'));
      decipher.setAuthTag(b64(tag!));
      return Buffer.concat([decipher.update(b64(body!)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedFieldError(`${binding}: value failed authentication`);
    } finally {
      dataKey.fill(0);
    }
  }

  /** HMAC-SHA256(fingerprint key, label ␀ value), base64: equal values give equal fingerprints, nothing else. */
  fingerprint(label: string, value: string): string {
    return createHmac('sha256', this.#fingerprintKey).update(`${label}\0${value}`).digest('base64');
  }

  toJSON(): { currentId: string } {
    return { currentId: this.#currentId };
  }

  [inspect.custom](): string {
    return `FieldSealer { currentId: ${this.#currentId} }`;
  }
}
