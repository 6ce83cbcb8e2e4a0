import { generateKeyPairSync } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InternalTokenSigner } from '../platform/auth/tokens.js';
import { createErrorFormatter } from '../platform/errors.js';
import { InternalContextDataSource } from './data-source.js';

const source = new InternalContextDataSource(
  'kyc',
  'http://127.0.0.1:1/graphql',
  new InternalTokenSigner(generateKeyPairSync('ed25519').privateKey, 30),
  fetch as never,
);
const answer = (status: number, body: unknown, contentType = 'application/json') =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': contentType },
  });
const refusal = (code: string, message = 'Argument "first" of non-null type "Int!" must not be null.') => ({
  errors: [{ message, extensions: { code } }],
});

describe("a subgraph's 4xx answer through the gateway's data source", () => {
  const unexpected: unknown[] = [];
  const format = createErrorFormatter((err) => unexpected.push(err));
  const formatted = (error: GraphQLError) => format({ message: error.message, extensions: error.extensions }, error);

  it('keeps a bad-input code and its message (the client sent a value the subgraph refuses)', async () => {
    for (const code of ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']) {
      const error = await source.errorFromResponse(answer(400, refusal(code)) as never);
      expect(formatted(error)).toEqual({
        message: 'Argument "first" of non-null type "Int!" must not be null.',
        extensions: { code, serviceName: 'kyc' },
      });
    }
    expect(unexpected).toEqual([]);
  });

  it('masks what is not the client’s input: a parse failure (the gateway’s own document), a 5xx, a non-JSON body', async () => {
    const cases = [
      answer(400, refusal('GRAPHQL_PARSE_FAILED', 'Syntax Error: Unexpected "}"')),
      answer(500, refusal('BAD_USER_INPUT')),
      answer(400, '<html>bad gateway</html>', 'text/html'),
      answer(400, { errors: [] }),
    ];
    for (const response of cases) {
      const error = await source.errorFromResponse(response as never);
      expect(formatted(error)).toEqual({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    }
    expect(unexpected).toHaveLength(cases.length);
  });
});
