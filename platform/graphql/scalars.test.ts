import { GraphQLError, Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AMOUNT_MAX_LENGTH, AmountScalar } from './scalars.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as GraphQLError).extensions?.code;
  }
  return null;
};

describe('Amount', () => {
  it('accepts decimal strings up to 80 characters (78 digits of numeric(78,0), a sign and a point)', () => {
    const longest = `-${'9'.repeat(38)}.${'9'.repeat(40)}`;
    expect(longest).toHaveLength(AMOUNT_MAX_LENGTH);
    expect(AmountScalar.parseValue(longest)).toBe(longest);
    expect(AmountScalar.parseLiteral({ kind: Kind.STRING, value: '12.5' }, {})).toBe('12.5');
  });

  it('refuses anything longer with BAD_USER_INPUT, as a variable or a literal, before reading it', () => {
    expect(codeOf(() => AmountScalar.parseValue('1'.repeat(AMOUNT_MAX_LENGTH + 1)))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => AmountScalar.parseLiteral({ kind: Kind.STRING, value: '1'.repeat(1_000_000) }, {}))).toBe(
      'BAD_USER_INPUT',
    );
    // padding does not slip past the cap
    expect(codeOf(() => AmountScalar.parseValue(` ${'1'.repeat(AMOUNT_MAX_LENGTH)} `))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => AmountScalar.parseValue('1e5'))).toBe('BAD_USER_INPUT');
  });
});
