import { inspect } from 'node:util';

/** One master key from `WALLET_MASTER_KEYS`: an id and 32 random bytes. */
export interface MasterKeyMaterial {
  id: string;
  key: Uint8Array;
}

const KEY_BYTES = 32;
const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/u;
const BASE64 = /^[A-Za-z0-9+/]{43}=$/u;

/**
 * The wallet's master keys as configured. Holds the key bytes privately: printing, logging or
 * JSON-serialising it shows the ids only. `entries()` hands out copies to build the keyring from.
 */
export class MasterKeySet {
  readonly #entries: MasterKeyMaterial[];

  constructor(
    entries: readonly MasterKeyMaterial[],
    readonly currentId: string,
  ) {
    this.#entries = entries.map(({ id, key }) => ({ id, key: Uint8Array.from(key) }));
  }

  get ids(): string[] {
    return this.#entries.map((e) => e.id);
  }

  /** Fresh copies of the key bytes; the caller should zero them once its keyring holds them. */
  entries(): MasterKeyMaterial[] {
    return this.#entries.map(({ id, key }) => ({ id, key: Uint8Array.from(key) }));
  }

  /** True when some configured key has exactly these bytes (used to refuse the dev key in production). */
  containsKey(key: Uint8Array): boolean {
    return this.#entries.some((e) => e.key.length === key.length && e.key.every((b, i) => b === key[i]));
  }

  toJSON(): { currentId: string; ids: string[] } {
    return { currentId: this.currentId, ids: this.ids };
  }

  [inspect.custom](): string {
    return `MasterKeySet { currentId: ${this.currentId}, ids: [${this.ids.join(', ')}] }`;
  }
}

/**
 * Parses `id:base64key,id2:base64key2` (each key exactly 32 bytes) and the optional current id
 * (default: the last entry). Error messages name ids and positions, never key material.
 */
export function parseMasterKeys(
  text: string,
  currentId: string | undefined,
  currentIdVariable = 'WALLET_MASTER_KEY_ID',
): MasterKeySet {
  const entries: MasterKeyMaterial[] = [];
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('no keys: expected id:base64key[,id2:base64key2…]');
  parts.forEach((part, position) => {
    const colon = part.indexOf(':');
    const id = colon > 0 ? part.slice(0, colon) : '';
    const encoded = colon > 0 ? part.slice(colon + 1) : '';
    const where = `entry ${position + 1}`;
    if (!ID_PATTERN.test(id))
      throw new Error(`${where}: expected <id>:<base64 key> with an id of letters, digits, . _ - (at most 64)`);
    if (!BASE64.test(encoded))
      throw new Error(
        `key "${id}": must be exactly ${KEY_BYTES} bytes in standard base64 (44 characters ending in =); generate one with: openssl rand -base64 32`,
      );
    if (entries.some((e) => e.id === id)) throw new Error(`key "${id}" is given twice`);
    const key = Uint8Array.from(Buffer.from(encoded, 'base64'));
    if (key.every((b) => b === 0)) throw new Error(`key "${id}" is all zeros`);
    const duplicate = entries.find((e) => e.key.every((b, i) => b === key[i]));
    if (duplicate) throw new Error(`keys "${duplicate.id}" and "${id}" are the same key: a rotation needs a new key`);
    entries.push({ id, key });
  });
  const current = currentId ?? entries[entries.length - 1]!.id;
  if (!entries.some((e) => e.id === current)) {
    throw new Error(
      `${currentIdVariable} "${current}" is not one of the configured ids (${entries.map((e) => e.id).join(', ')})`,
    );
  }
  const set = new MasterKeySet(entries, current);
  for (const e of entries) e.key.fill(0);
  return set;
}
