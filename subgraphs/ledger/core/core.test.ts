import { describe, expect, it } from 'vitest';
import { accounts, assetOfAccount, bucketOfAccount, isValidAccount, userOfAccount } from './accounts.js';
import { draft } from './ledger.types.js';
import { validateDraft } from './poster.js';
import { canonicalJson, requestHash } from './request-hash.js';
import { textArray } from './sql.js';
import { feeFor } from '../transfer/transfer.service.js';

describe('accounts', () => {
  it('builds and parses addresses', () => {
    const a = accounts.available('usr_1', 'USDT_TON');
    expect(a).toBe('user:usr_1:USDT_TON:available');
    expect([assetOfAccount(a), userOfAccount(a), bucketOfAccount(a)]).toEqual(['USDT_TON', 'usr_1', 'available']);
    expect(assetOfAccount(accounts.custody('TRON', 'USDT_TRON'))).toBe('USDT_TRON');
    expect([assetOfAccount(accounts.fees('TON')), userOfAccount(accounts.fees('TON'))]).toEqual(['TON', null]);
    expect(accounts.receivable('usr_1', 'USDT_ETH')).toBe('receivable:usr_1:USDT_ETH');
    expect([
      assetOfAccount(accounts.receivable('usr_1', 'TON')),
      userOfAccount(accounts.receivable('usr_1', 'TON')),
    ]).toEqual(['TON', null]);
    for (const ok of [
      a,
      accounts.held('usr_1', 'TON'),
      'custody:ETH:ETH',
      'fees:IRT',
      'exchange:BNB',
      'world:TRX',
      'receivable:usr_1:TON',
    ])
      expect(isValidAccount(ok)).toBe(true);
    for (const bad of [
      'user:usr_1:TON',
      'user:usr:1:TON:available',
      'fees:ton',
      'bank:IRT',
      'custody:ETH',
      '',
      'receivable:TON',
      'receivable:usr_1:TON:available',
    ])
      expect(isValidAccount(bad)).toBe(false);
    expect(() => accounts.available('usr:1', 'TON')).toThrow();
  });
});

describe('fees', () => {
  it('adds the fixed part and rounds the basis points up', () => {
    expect(feeFor({ fixed: 0n, bps: 10 }, 10_000n)).toBe(10n);
    expect(feeFor({ fixed: 0n, bps: 10 }, 10_001n)).toBe(11n);
    expect(feeFor({ fixed: 0n, bps: 10 }, 1n)).toBe(1n);
    expect(feeFor({ fixed: 500n, bps: 0 }, 1n)).toBe(500n);
    expect(feeFor({ fixed: 0n, bps: 0 }, 123n)).toBe(0n);
    expect(feeFor({ fixed: 1n, bps: 100 }, 10n ** 30n)).toBe(10n ** 28n + 1n);
  });
});

describe('request hash', () => {
  it('ignores key order and undefined, not values', () => {
    expect(canonicalJson({ b: 1n, a: 'x', c: undefined })).toBe('{"a":"x","b":"1"}');
    expect(requestHash('transfer', { a: 1n, b: 'x' })).toBe(requestHash('transfer', { b: 'x', a: 1n }));
    expect(requestHash('transfer', { a: 1n })).not.toBe(requestHash('transfer', { a: 2n }));
    expect(requestHash('transfer', { a: 1n })).not.toBe(requestHash('adjust', { a: 1n }));
    expect(requestHash('t', {})).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('validateDraft', () => {
  const ok = () =>
    draft({
      kind: 'TRANSFER',
      asset: 'TON',
      amount: 5n,
      userId: 'u1',
      counterpartyId: 'u2',
      postings: [
        {
          source: accounts.available('u1', 'TON'),
          destination: accounts.available('u2', 'TON'),
          asset: 'TON',
          amount: 5n,
        },
      ],
    });
  it('accepts a well-formed draft and refuses malformed ones before they reach a batch', () => {
    expect(() => validateDraft(ok())).not.toThrow();
    const cases = [
      { ...ok(), postings: [] },
      { ...ok(), postings: [{ ...ok().postings[0]!, amount: 0n }] },
      { ...ok(), postings: [{ ...ok().postings[0]!, asset: 'ETH' }] },
      { ...ok(), postings: [{ ...ok().postings[0]!, destination: accounts.available('u3', 'TON') }] },
      { ...ok(), postings: [{ ...ok().postings[0]!, destination: ok().postings[0]!.source }] },
      { ...ok(), asset: 'DOGE' },
      { ...ok(), idempotency: { scope: 's', key: 'k', requestHash: 'nothex' } },
    ];
    for (const d of cases) expect(() => validateDraft(d)).toThrow(/invalid ledger transaction/);
  });
});

describe('textArray', () => {
  it('quotes every element', () => {
    expect(textArray(['a', 'b,c', 'd"e', 'f\\g'])).toBe('{"a","b,c","d\\"e","f\\\\g"}');
    expect(textArray([])).toBe('{}');
  });
});
