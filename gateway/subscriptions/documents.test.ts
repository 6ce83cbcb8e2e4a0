import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DocumentCache } from './documents.js';

const schema = buildSchema(`type Query { a: Int b(x: String): Int }`);

describe('DocumentCache', () => {
  it('parses a text once per schema and shares the document', () => {
    const cache = new DocumentCache({ maxTokens: 100 });
    const first = cache.prepare(schema, '{ a }');
    expect(cache.prepare(schema, '{ a }')).toBe(first);
    expect(cache.prepare(buildSchema(`type Query { a: Int }`), '{ a }')).not.toBe(first);
  });

  it('refuses a document over the token limit and one that does not validate, with their codes', () => {
    const cache = new DocumentCache({ maxTokens: 10 });
    expect(cache.prepare(schema, `{ ${'a '.repeat(12)}}`)).toMatchObject({
      errors: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }],
    });
    expect(cache.prepare(schema, '{ nope }')).toMatchObject({
      errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    });
    expect(cache.prepare(schema, `{ ${'a '.repeat(8)}}`)).toHaveProperty('document');
  });

  it('keeps at most maxEntries documents, dropping the least recently used', () => {
    const cache = new DocumentCache({ maxTokens: 100, maxEntries: 2 });
    const a = cache.prepare(schema, '{ a }');
    const b = cache.prepare(schema, '{ b }');
    expect(cache.prepare(schema, '{ a }')).toBe(a); // a is now the most recent
    cache.prepare(schema, '{ a b }'); // evicts b
    expect(cache.prepare(schema, '{ a }')).toBe(a);
    expect(cache.prepare(schema, '{ b }')).not.toBe(b);
  });

  it('keeps at most maxTextBytes of document text', () => {
    const cache = new DocumentCache({ maxTokens: 100, maxTextBytes: 40 });
    const long = (n: number) => `{ b(x: "${String(n).padEnd(20, '.')}") }`; // 31 characters each
    const first = cache.prepare(schema, long(1));
    expect(cache.prepare(schema, long(1))).toBe(first);
    cache.prepare(schema, long(2)); // 62 characters do not fit in 40: the older one goes
    expect(cache.prepare(schema, long(1))).not.toBe(first);
  });
});
