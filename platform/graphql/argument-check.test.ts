import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../testing/graphql-client.js';
import { createErrorFormatter } from '../errors.js';
import { createLogger } from '../logger.js';
import { argumentCheckPlugin } from './argument-check.js';
import { graphqlHttpHandler } from './http-handler.js';

// A small subgraph-like server: the same plugin, error mapper and HTTP handler the subgraphs use.
const schema = buildSubgraphSchema({
  typeDefs: parse(`
    enum Quote { USD IRT }
    input Filter { quote: Quote! = IRT, limit: Int }
    type Query {
      page(first: Int! = 20): Int!
      priced(filter: Filter!): String!
      nested: Query!
      boom: String
    }`),
  resolvers: {
    Query: {
      page: (_: unknown, args: { first: number }) => args.first,
      priced: (_: unknown, args: { filter: { quote: string } }) => args.filter.quote,
      nested: () => ({}),
      boom: () => {
        throw new Error('connect ECONNREFUSED postgres://postgres:hunter2@db:5432');
      },
    },
  },
});
const unexpected: { err: unknown; requestId: string | undefined }[] = [];
let http: Server;
let url: string;
beforeAll(async () => {
  const server = new ApolloServer<{ requestId: string }>({
    schema,
    includeStacktraceInErrorResponses: false,
    plugins: [argumentCheckPlugin()],
    formatError: createErrorFormatter((err, requestId) => unexpected.push({ err, requestId })),
  });
  await server.start();
  const handler = graphqlHttpHandler({
    server,
    log: createLogger({ name: 'test', level: 'silent' }),
    context: async (req) => ({ requestId: String(req.headers['x-request-id'] ?? 'req_none') }),
  });
  http = createServer((req, res) => void handler(req, res, new URL(req.url ?? '/', 'http://localhost')));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

describe('argument coercion before execution', () => {
  it('an explicit null for a non-null argument with a default is BAD_USER_INPUT (HTTP 400), not a masked field error', async () => {
    const res = await gql(url, `query($f: Int) { page(first: $f) }`, { f: null });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: 'Argument "first" of non-null type "Int!" must not be null.',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(res.body.data).toBeUndefined();
  });

  it('a null variable inside an input object, in a nested field and in a fragment, is refused the same way', async () => {
    for (const query of [
      `query($q: Quote) { priced(filter: { quote: $q }) }`,
      `query($q: Quote) { nested { nested { priced(filter: { quote: $q, limit: 1 }) } } }`,
      `query($q: Quote) { ...F } fragment F on Query { nested { priced(filter: { quote: $q }) } }`,
    ]) {
      const res = await gql(url, query, { q: null });
      expect(res.status).toBe(400);
      expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors?.[0]?.message).toMatch(/^Argument "filter" has invalid value/);
    }
  });

  it('leaves valid arguments, omitted ones (the default applies) and skipped fields alone', async () => {
    expect((await gql(url, `query($f: Int) { page(first: $f) }`, {})).body).toEqual({ data: { page: 20 } });
    expect((await gql(url, `query($f: Int) { page(first: $f) }`, { f: 3 })).body).toEqual({ data: { page: 3 } });
    expect((await gql(url, `query($q: Quote) { priced(filter: { quote: $q }) }`, { q: 'USD' })).body).toEqual({
      data: { priced: 'USD' },
    });
    const skipped = await gql(url, `query($f: Int, $s: Boolean!) { page(first: $f) @skip(if: $s) }`, {
      f: null,
      s: true,
    });
    expect(skipped.body).toEqual({ data: {} });
  });

  it('an unexpected error stays masked and is logged with the request id', async () => {
    const res = await gql(url, `{ boom }`, {}, null, { 'x-request-id': 'req_boom1' });
    expect(res.body.errors).toEqual([
      {
        message: 'Internal server error',
        locations: [{ line: 1, column: 3 }],
        path: ['boom'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(unexpected.map((u) => u.requestId)).toEqual(['req_boom1']);
    expect(String(unexpected[0]?.err)).toContain('ECONNREFUSED');
  });
});
