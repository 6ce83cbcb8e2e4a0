import { describe, expect, it } from 'vitest';
import { idFloorAt, idTimeMs, isId, newId } from './ids.js';

describe('newId', () => {
  it('is prefixed, 26 chars of Crockford base32, unique and sortable by creation', () => {
    const ids = Array.from({ length: 5000 }, () => newId('txn'));
    expect(ids.every((id) => isId('txn', id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('idFloorAt', () => {
  it('sorts below every id made at or after that millisecond and above every id made before it', async () => {
    const before = newId('evt');
    await new Promise((r) => setTimeout(r, 5));
    const at = Date.now();
    const floor = idFloorAt('evt', at);
    const after = newId('evt');
    expect(isId('evt', floor)).toBe(true);
    expect(before < floor).toBe(true);
    expect(floor <= after).toBe(true);
    expect(idFloorAt('evt', at - 1) < floor).toBe(true);
  });
});

describe('idTimeMs', () => {
  it('reads back the millisecond an id was made at, and null for what is not an id', () => {
    const at = Date.now();
    expect(idTimeMs(idFloorAt('evt', at))).toBe(at);
    const made = idTimeMs(newId('evt'))!;
    expect(made).toBeGreaterThanOrEqual(at);
    expect(made).toBeLessThanOrEqual(Date.now());
    expect(idTimeMs('evt_not-an-id')).toBeNull();
    expect(idTimeMs('')).toBeNull();
  });
});
