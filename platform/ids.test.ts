import { describe, expect, it } from 'vitest';
import { isId, newId } from './ids.js';

describe('newId', () => {
  it('is prefixed, 26 chars of Crockford base32, unique and sortable by creation', () => {
    const ids = Array.from({ length: 5000 }, () => newId('txn'));
    expect(ids.every((id) => isId('txn', id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
