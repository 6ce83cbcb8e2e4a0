import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { PaymentDataKeys } from '../../../platform/config/secrets.js';

/** A sealed value is refused: altered, moved to another row or field, or under a key that is not configured. */
export class SealedDataTamperedError extends Error {
  constructor(
    readonly row: string,
    readonly field: string,
    why: string,
  ) {
    super(`payment ${row} ${field}: ${why}`);
    this.name = 'SealedDataTamperedError';
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_PREFIX = 'payment/v1';
const CARD_LABEL = 'payment/card/v1\0';
const SEALED = /^v1\.([A-Za-z0-9._-]{1,64})\.([A-Za-z0-9+/]{16})\.([A-Za-z0-9+/]*={0,2})\.([A-Za-z0-9+/]{22}==)$/u;

/**
 * Seals and opens the personal data the payment subgraph keeps (KYC holder names, bank-account owners) with
 * AES-256-GCM under the payment data keys, each value bound to its table, row and field; and computes the card
 * lookup index (HMAC-SHA256 under its own key), so card numbers are never stored. Prints no key material.
 */
export class SealedData {
  readonly #keys: Map<string, Buffer>;
  readonly #currentId: string;
  readonly #indexKey: Buffer;

  constructor(config: PaymentDataKeys) {
    this.#keys = new Map(config.keys.entries().map(({ id, key }) => [id, Buffer.from(key)]));
    this.#currentId = config.keys.currentId;
    this.#indexKey = Buffer.from(config.cardIndexKey());
  }

  static aad(row: string, field: string): string {
    return `${AAD_PREFIX}\0${row}\0${field}`;
  }

  /** `row` names the table and key (`kyc_holder:usr_…`). */
  seal(row: string, field: string, value: string): string {
    const key = this.#keys.get(this.#currentId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(SealedData.aad(row, field), 'utf8'));
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.#currentId,
      iv.toString('base64'),
      body.toString('base64'),
      cipher.getAuthTag().toString('base64'),
    ].join('.');
  }

  open(row: string, field: string, sealed: string): string {
    const match = SEALED.exec(sealed);
    if (!match) throw new SealedDataTamperedError(row, field, 'not a sealed value');
    const [, keyId, iv, body, tag] = match;
    const key = this.#keys.get(keyId!);
    if (!key) throw new SealedDataTamperedError(row, field, `sealed with key "${keyId}", not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(SealedData.aad(row, field), 'utf8'));
    decipher.setAuthTag(Buffer.from(tag!, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body!, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedDataTamperedError(row, field, 'failed authentication');
    }
  }

  /** HMAC-SHA256(card index key, card number), base64: equal cards give equal indexes, nothing else is learnt. */
  cardIndex(card: string): string {
    return createHmac('sha256', this.#indexKey)
      .update(CARD_LABEL + card)
      .digest('base64');
  }

  toJSON(): { currentId: string } {
    return { currentId: this.#currentId };
  }

  [inspect.custom](): string {
    return `SealedData { currentId: ${this.#currentId} }`;
  }
}
