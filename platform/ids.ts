import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

let lastMs = 0;
let lastRandom: Uint8Array = new Uint8Array(10);

function encode(bytes: Uint8Array, length: number): string {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

function increment(bytes: Uint8Array): Uint8Array {
  const next: Uint8Array = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    next[i] = (next[i]! + 1) & 0xff;
    if (next[i] !== 0) break;
  }
  return next;
}

/**
 * A prefixed, time-sortable id (`usr_01h…`): 48-bit milliseconds then 80 random bits, monotonic within
 * one process (same millisecond → random part incremented), so ids sort by creation order.
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now <= lastMs) {
    lastRandom = increment(lastRandom);
  } else {
    lastMs = now;
    lastRandom = randomBytes(10);
  }
  return `${prefix}_${timePart(lastMs)}${encode(lastRandom, 16)}`;
}

/** 48-bit milliseconds as 10 base32 characters. */
function timePart(ms: number): string {
  const time = new Uint8Array(6);
  let t = BigInt(Math.max(0, Math.floor(ms)));
  for (let i = 5; i >= 0; i--) {
    time[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return encode(time, 10);
}

/** The smallest id `newId(prefix)` could make at `ms`: every id made earlier sorts below it. */
export function idFloorAt(prefix: string, ms: number): string {
  return `${prefix}_${timePart(ms)}${'0'.repeat(16)}`;
}

export function isId(prefix: string, value: string): boolean {
  return new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`).test(value);
}

/** The millisecond an id of `newId` was made at (its first 10 characters after the prefix), or null when it is not one. */
export function idTimeMs(id: string): number | null {
  const match = /^[a-z]+_([0-9a-hjkmnp-tv-z]{26})$/.exec(id);
  if (!match) return null;
  let ms = 0;
  for (const char of match[1]!.slice(0, 10)) ms = ms * 32 + ALPHABET.indexOf(char);
  return ms;
}
