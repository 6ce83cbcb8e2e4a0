import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { KycDataKeys } from '../../../platform/config/secrets.js';

/** The personal data of a submission: stored only as AES-256-GCM ciphertext, one per field. */
export interface PersonalData {
  firstName: string;
  lastName: string;
  nationalId: string;
  /** Gregorian YYYY-MM-DD. */
  birthDate: string;
  /** The verified phone (E.164) at the time of submission. */
  phone: string;
}

export type PersonalField = keyof PersonalData;
export const PERSONAL_FIELDS: readonly PersonalField[] = ['firstName', 'lastName', 'nationalId', 'birthDate', 'phone'];

/** A stored field is refused: altered ciphertext, another row's or field's ciphertext, or an unknown key. */
export class PersonalDataTamperedError extends Error {
  constructor(
    readonly submissionId: string,
    readonly field: PersonalField,
    why: string,
  ) {
    super(`kyc_submission ${submissionId} ${field}: ${why}`);
    this.name = 'PersonalDataTamperedError';
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_PREFIX = 'kyc.kyc_submission/v1';
const INDEX_LABEL = 'kyc/national-id/v1\0';
const SEALED = /^v1\.([A-Za-z0-9._-]{1,64})\.([A-Za-z0-9+/]{16})\.([A-Za-z0-9+/]*={0,2})\.([A-Za-z0-9+/]{22}==)$/u;

/** What the ciphertext is bound to: the row and the field (a value moved to another row or field fails). */
export function personalDataAad(submissionId: string, field: PersonalField): string {
  return `${AAD_PREFIX}\0${submissionId}\0${field}`;
}

/**
 * Seals and opens a submission's personal fields with the kyc data keys (AES-256-GCM, a fresh 12-byte IV per
 * value, the key id stored beside it so keys can rotate), and computes the national ID's blind index
 * (HMAC-SHA256 with its own key) for lookups without decrypting. Prints no key material.
 */
export class PersonalDataCipher {
  readonly #keys: Map<string, Buffer>;
  readonly #currentId: string;
  readonly #indexKey: Buffer;

  constructor(config: KycDataKeys) {
    this.#keys = new Map(config.keys.entries().map(({ id, key }) => [id, Buffer.from(key)]));
    this.#currentId = config.keys.currentId;
    this.#indexKey = Buffer.from(config.blindIndexKey());
  }

  /** `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64 parts). */
  seal(submissionId: string, field: PersonalField, value: string): string {
    const key = this.#keys.get(this.#currentId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(personalDataAad(submissionId, field), 'utf8'));
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const parts = [VERSION, this.#currentId, iv, body, cipher.getAuthTag()];
    return parts.map((p) => (typeof p === 'string' ? p : p.toString('base64'))).join('.');
  }

  open(submissionId: string, field: PersonalField, sealed: string): string {
    const match = SEALED.exec(sealed);
    if (!match) throw new PersonalDataTamperedError(submissionId, field, 'not a sealed value');
    const [, keyId, iv, body, tag] = match;
    const key = this.#keys.get(keyId!);
    if (!key) throw new PersonalDataTamperedError(submissionId, field, `sealed with key "${keyId}", not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(personalDataAad(submissionId, field), 'utf8'));
    decipher.setAuthTag(Buffer.from(tag!, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body!, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new PersonalDataTamperedError(submissionId, field, 'failed authentication');
    }
  }

  /** HMAC-SHA256(index key, national ID), base64: equal IDs give equal indexes, nothing else is learnt. */
  nationalIdIndex(nationalId: string): string {
    return createHmac('sha256', this.#indexKey)
      .update(INDEX_LABEL + nationalId)
      .digest('base64');
  }

  toJSON(): { currentId: string } {
    return { currentId: this.#currentId };
  }

  [inspect.custom](): string {
    return `PersonalDataCipher { currentId: ${this.#currentId} }`;
  }
}
