import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { perDocumentCache } from './document-cache.js';

describe('perDocumentCache', () => {
  it('keys on the variables the operation declares, not on any others sent along', () => {
    let computed = 0;
    const cache = perDocumentCache(() => ++computed);
    const doc = parse('query($n: Int) { a(n: $n) }');
    const op = getOperationAST(doc)!;
    expect(cache(doc, op, { n: 1 }, null)).toBe(1);
    expect(cache(doc, op, { n: 1, junk: 'x'.repeat(10_000) }, null)).toBe(1);
    expect(cache(doc, op, { n: 1, other: 2 }, null)).toBe(1);
    expect(cache(doc, op, { n: 2 }, null)).toBe(2);
    expect(computed).toBe(2);
  });

  it('stays within its byte budget however many documents and variable sets it sees', () => {
    const maxBytes = 200_000;
    const cache = perDocumentCache((_d, _o, variables) => variables, { maxBytes });
    const docs = Array.from({ length: 300 }, (_, i) =>
      parse(`query Q${i}($s: [String!]) { prices(symbols: $s) { symbol } }`),
    );
    for (const [i, doc] of docs.entries()) {
      for (let v = 0; v < 20; v++) cache(doc, getOperationAST(doc)!, { s: Array(50).fill(`S${i}-${v}`) }, null);
      expect(cache.bytes()).toBeLessThanOrEqual(maxBytes);
    }
    expect(cache.documents()).toBeLessThan(300);
    // the most recent document is still cached; the first was dropped
    let again = 0;
    const recount = perDocumentCache(() => ++again, { maxBytes: 5_000 });
    const [a, b] = [parse('{ a }'), parse('{ b }')];
    recount(a, getOperationAST(a)!, {}, null);
    for (let i = 0; i < 20; i++) recount(parse(`{ f${i} }`), getOperationAST(parse(`{ f${i} }`))!, {}, null);
    recount(b, getOperationAST(b)!, {}, null);
    recount(b, getOperationAST(b)!, {}, null);
    recount(a, getOperationAST(a)!, {}, null);
    expect(again).toBe(23);
  });

  it('starts afresh for a new scope (a new schema)', () => {
    let computed = 0;
    const cache = perDocumentCache<number, object>(() => ++computed);
    const doc = parse('{ a }');
    const op = getOperationAST(doc)!;
    const [s1, s2] = [{}, {}];
    cache(doc, op, {}, s1);
    cache(doc, op, {}, s1);
    cache(doc, op, {}, s2);
    expect(computed).toBe(2);
  });
});
