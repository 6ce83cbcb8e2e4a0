import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const AMOUNT = /^-?(0|[1-9]\d*)(\.\d+)?$/;
/**
 * numeric(78,0) minor units have at most 78 digits; with a sign and a decimal point that is 80 characters.
 * Checked before anything else reads the string, so an oversized amount costs nothing to refuse.
 */
export const AMOUNT_MAX_LENGTH = 80;

function parseAmountLiteral(value: unknown): string {
  if (typeof value === 'string' && value.length > AMOUNT_MAX_LENGTH) {
    throw new GraphQLError(`Amount must be at most ${AMOUNT_MAX_LENGTH} characters`, {
      extensions: { code: 'BAD_USER_INPUT', maxLength: AMOUNT_MAX_LENGTH },
    });
  }
  if (typeof value !== 'string' || !AMOUNT.test(value.trim())) {
    throw new GraphQLError('Amount must be a decimal string such as "12.5"', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value.trim();
}

/**
 * An exact decimal quantity of an asset, as a string in the asset's major unit ("0.000001"). Stored as
 * integer minor units (bigint / numeric(78,0)); services convert with the asset's decimals.
 */
export const AmountScalar = new GraphQLScalarType<string, string>({
  name: 'Amount',
  description: 'An exact decimal amount as a string in the asset\'s unit, e.g. "12.5". Never a float.',
  serialize: (value) => {
    if (typeof value === 'string' && AMOUNT.test(value)) return value;
    throw new GraphQLError('Amount serialization expects a decimal string');
  },
  parseValue: parseAmountLiteral,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('Amount must be written as a string, e.g. "12.5"', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return parseAmountLiteral(ast.value);
  },
});

function toDate(value: unknown): Date {
  const date =
    value instanceof Date
      ? value
      : typeof value === 'string' || typeof value === 'number'
        ? new Date(value)
        : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError('DateTime must be an ISO-8601 date-time string', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return date;
}

/** An ISO-8601 UTC instant, e.g. "2026-11-21T12:00:00.000Z". */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 UTC date-time string.',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => {
    if (typeof value !== 'string')
      throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return toDate(value);
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return toDate(ast.value);
  },
});
