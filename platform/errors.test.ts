import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorFormatter, DomainError, notFound } from './errors.js';

describe('error mapper', () => {
  const logged: unknown[] = [];
  const format = createErrorFormatter((err) => logged.push(err));

  it('keeps a domain error’s code, message and details', () => {
    const err = new GraphQLError('x', {
      originalError: new DomainError('INSUFFICIENT_FUNDS', 'Not enough USDT_TRON', { available: '1.5' }),
      path: ['transfer'],
    });
    expect(format({ message: 'x', path: ['transfer'] }, err)).toEqual({
      message: 'Not enough USDT_TRON',
      locations: undefined,
      path: ['transfer'],
      extensions: { available: '1.5', code: 'INSUFFICIENT_FUNDS' },
    });
    expect(
      format({ message: 'x' }, new GraphQLError('x', { originalError: notFound('User', 'usr_1') })).extensions,
    ).toEqual({ id: 'usr_1', code: 'NOT_FOUND' });
  });

  it('masks anything unexpected: no message, stack or internals reach the client, and it is logged', () => {
    const secret = new Error('connect ECONNREFUSED postgres://postgres:hunter2@db:5432');
    const out = format(
      { message: secret.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at …'] } },
      new GraphQLError(secret.message, { originalError: secret }),
    );
    expect(out).toEqual({
      message: 'Internal server error',
      locations: undefined,
      path: undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(logged).toContain(secret);
  });

  it('passes GraphQL request errors through with their code, without a stack', () => {
    const out = format(
      { message: 'Cannot query field "nope"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['x'] } },
      new GraphQLError('Cannot query field "nope"'),
    );
    expect(out.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });
});
