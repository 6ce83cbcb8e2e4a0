import { readFileSync } from 'node:fs';
import {
  buildASTSchema,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  parse,
  getOperationAST,
  buildSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { uniqueFieldUses } from '../permissions/evaluate.js';
import { checkListArguments, checkVariables, LIST_ARGUMENT_MAXIMA } from './input-size.js';

const limits = { maxVariablesBytes: 1000, maxListLength: 10 };

describe('checkVariables', () => {
  it('passes variables within the limits', () => {
    expect(checkVariables({ s: ['TON', 'ETH'], input: { amount: '1.5', tags: ['a'] } }, limits)).toBeNull();
  });

  it('names the first list that is too long, wherever it is, without walking the rest', () => {
    expect(checkVariables({ s: Array(60_000).fill('TON') }, limits)).toEqual({
      limit: 'listLength',
      max: 10,
      actual: 60_000,
      at: '$s',
    });
    expect(checkVariables({ input: { items: [[1], Array(11).fill(0)] } }, limits)).toMatchObject({
      limit: 'listLength',
      at: '$input.items',
    });
  });

  it('refuses nesting deeper than 32 levels before recursing into it', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(checkVariables({ s: deep }, limits)).toEqual({ limit: 'depth', max: 32, actual: 33, at: '$s' });
    const nested = (n: number): unknown => (n === 0 ? 'x' : { a: nested(n - 1) });
    expect(checkVariables({ o: nested(31) }, { ...limits, maxVariablesBytes: 10_000 })).toBeNull();
    expect(checkVariables({ o: nested(40) }, { ...limits, maxVariablesBytes: 10_000 })).toMatchObject({
      limit: 'depth',
    });
  });

  it('stops counting once the size is over the limit (a long string, many keys, many small lists)', () => {
    expect(checkVariables({ a: '1'.repeat(1_000_000) }, limits)).toMatchObject({
      limit: 'variablesBytes',
      max: 1000,
      at: '$a',
    });
    expect(
      checkVariables(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`v${i}`, i])), limits),
    ).toMatchObject({ limit: 'variablesBytes' });
    expect(checkVariables({ m: Array.from({ length: 10 }, () => Array(10).fill('xxxxxxxxxx')) }, limits)).toMatchObject(
      { limit: 'variablesBytes' },
    );
  });
});

describe('checkListArguments', () => {
  const schema = buildSchema(`
    type Query { prices(symbols: [String!]!): [Int] other(ids: [ID!], input: In): Int }
    input In { tags: [String!] }
  `);
  const uses = (query: string, variables: Record<string, unknown> = {}) => {
    const doc = parse(query);
    return uniqueFieldUses(schema, doc, getOperationAST(doc)!, variables);
  };

  it('applies the declared maximum of an argument, and the default to every other list', () => {
    const maxima = { 'Query.prices.symbols': 3 };
    expect(
      checkListArguments(uses('query($s: [String!]!) { prices(symbols: $s) }', { s: ['a', 'b', 'c'] }), limits, maxima),
    ).toBeNull();
    expect(
      checkListArguments(
        uses('query($s: [String!]!) { prices(symbols: $s) }', { s: ['a', 'b', 'c', 'd'] }),
        limits,
        maxima,
      ),
    ).toEqual({ limit: 'listLength', max: 3, actual: 4, at: 'Query.prices.symbols' });
    // written into the query, not a variable
    expect(checkListArguments(uses('{ prices(symbols: ["a", "b", "c", "d"]) }'), limits, maxima)).toMatchObject({
      at: 'Query.prices.symbols',
    });
    expect(checkListArguments(uses(`{ other(ids: [${'"x", '.repeat(11)}]) }`), limits, maxima)).toMatchObject({
      max: 10,
      actual: 11,
      at: 'Query.other.ids',
    });
    expect(
      checkListArguments(uses(`{ other(input: { tags: [${'"x", '.repeat(11)}] }) }`), limits, maxima),
    ).toMatchObject({ at: 'Query.other.input.tags' });
  });

  it("names only list arguments of the supergraph, and prices(symbols:) keeps the market subgraph's 50", () => {
    const supergraph = buildASTSchema(
      parse(readFileSync(new URL('../../supergraph.graphql', import.meta.url), 'utf8')),
      { assumeValidSDL: true },
    );
    for (const key of Object.keys(LIST_ARGUMENT_MAXIMA)) {
      const [typeName, fieldName, argName] = key.split('.');
      const type = supergraph.getType(typeName!);
      const arg = isObjectType(type) ? type.getFields()[fieldName!]?.args.find((a) => a.name === argName) : undefined;
      expect(arg && isListType(getNullableType(arg.type)), key).toBe(true);
      expect(getNamedType(arg!.type).name).toBeTruthy();
    }
    expect(LIST_ARGUMENT_MAXIMA['Query.prices.symbols']).toBe(50);
  });
});
