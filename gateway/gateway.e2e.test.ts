import { SignJWT } from 'jose';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternalTokens, INTERNAL_CONTEXT_HEADER } from '../platform/auth/tokens.js';
import { errorCode, gql } from '../testing/graphql-client.js';
import { startStack, type TestStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';

let stack: TestStack;
let token: string;
beforeAll(async () => {
  stack = await startStack({ RATE_LIMIT_IP_PER_MINUTE: '100000', RATE_LIMIT_VIEWER_PER_MINUTE: '100000' });
  const res = await gql(stack.graphqlUrl, `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`, { d: initDataFor(newTelegramUser()) });
  token = res.body.data!.signInWithTelegram.accessToken;
});
afterAll(async () => {
  await stack?.close();
});

describe('subgraphs refuse calls around the gateway', () => {
  it('no internal token, a forged one, or an expired one → 401 UNAUTHENTICATED', async () => {
    const identityUrl = stack.subgraphs.get('identity')!.url;
    const query = '{ me { id } }';
    expect((await gql(identityUrl, query)).status).toBe(401);
    const forged = await new InternalTokens('a-different-secret-that-is-long-enough-000', 60).sign({ userId: 'usr_x', roles: ['SUPERADMIN'], claims: [], sessionId: null });
    const withForged = await gql(identityUrl, query, {}, null, { [INTERNAL_CONTEXT_HEADER]: forged });
    expect(withForged.status).toBe(401);
    expect(errorCode(withForged)).toBe('UNAUTHENTICATED');
    const expired = await new SignJWT({ roles: ['SUPERADMIN'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('gateway')
      .setAudience('subgraphs')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 300)
      .sign(new TextEncoder().encode(stack.config.auth.internalTokenSecret));
    expect((await gql(identityUrl, query, {}, null, { [INTERNAL_CONTEXT_HEADER]: expired })).status).toBe(401);
    // the user's own access token is not an internal token either
    expect((await gql(identityUrl, query, {}, null, { [INTERNAL_CONTEXT_HEADER]: token })).status).toBe(401);
  });
});

describe('query limits', () => {
  it('rejects deep, alias-heavy, costly and oversized operations with clear codes', async () => {
    const fine = await gql(stack.graphqlUrl, `{ me { id settings { language } } }`, {}, token);
    expect(fine.body.errors).toBeUndefined();
    // limits are checked before permissions, so even an anonymous caller learns which limit it hit
    const tooDeep = `query { users(first: 1) { edges { node { settings { language } } } } }`;
    const depthLimited = await startLimitsCheck(tooDeep, { QUERY_MAX_DEPTH: '3' });
    expect(depthLimited).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 3, actual: 5 });

    const aliases = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: levelRules { level }`).join(' ')} }`;
    const aliasRes = await gql(stack.graphqlUrl, aliases, {}, token);
    expect(aliasRes.status).toBe(400);
    expect(aliasRes.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });

    const costly = `{ users(first: 100) { edges { node { id username firstName lastName photoUrl level roles claims createdAt settings { language displayCurrency } } } pageInfo { hasNextPage endCursor } } }`;
    // 100 nodes × 14 selected fields, plus the connection's own fields
    expect(await startLimitsCheck(costly, { QUERY_MAX_COST: '1000' })).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 1000 });

    const fragmentBomb = `query { me { ...A } } fragment A on User { ...B ...B } fragment B on User { ...A id }`;
    const bomb = await gql(stack.graphqlUrl, fragmentBomb, {}, token);
    expect(bomb.status).toBe(400);
    expect(errorCode(bomb)).toBe('GRAPHQL_VALIDATION_FAILED'); // fragment cycles are invalid GraphQL

    const huge = `{ ${'levelRules { level } '.repeat(400)} }`;
    const tokens = await gql(stack.graphqlUrl, huge, {}, token);
    expect(tokens.status).toBe(400);
    expect(errorCode(tokens)).toBe('GRAPHQL_PARSE_FAILED');
  });

  async function startLimitsCheck(query: string, env: Record<string, string>) {
    const strict = await startStack(env);
    try {
      const res = await gql(strict.graphqlUrl, query);
      return res.body.errors?.[0]?.extensions;
    } finally {
      await strict.close();
    }
  }

  it('1,000 randomly malformed operations produce no 5xx response', async () => {
    const fragments = ['{', '}', 'query', 'mutation', 'subscription', 'me', 'users(first: -1)', '...on User', '$x', '@skip(if: $x)', '"', '\\u0000', 'fragment F on User', '...F', '(', ')', ':', 'id', '__schema', 'levelRules', '#', '\n', '1e999', 'null', '[', ']', '=', '!', 'signInWithTelegram(initData: 1)'];
    const operation = fc.oneof(
      fc.array(fc.constantFrom(...fragments), { maxLength: 30 }).map((parts) => parts.join(' ')),
      fc.string({ maxLength: 200 }),
      fc.constantFrom('', 'null', '{ me { id }', 'query ($a: Int!) { users(first: $a) { pageInfo { hasNextPage } } }'),
    );
    const variables = fc.oneof(fc.constant(undefined), fc.constant(null), fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue()), fc.string());
    const samples = fc.sample(fc.tuple(operation, variables, fc.boolean(), fc.boolean()), { numRuns: 1000, seed: 424242 });
    const statuses = new Map<number, number>();
    for (let i = 0; i < samples.length; i += 25) {
      const batch = samples.slice(i, i + 25);
      const results = await Promise.all(
        batch.map(async ([query, vars, asText, withToken]) => {
          const res = await fetch(stack.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(withToken ? { authorization: `Bearer ${token}` } : {}) },
            body: asText ? `{"query": ${JSON.stringify(query)}, "variables": ${typeof vars === 'string' ? vars : JSON.stringify(vars ?? null)}` : JSON.stringify({ query, variables: vars }),
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      for (const status of results) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const fiveHundreds = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    expect({ fiveHundreds, total: samples.length }).toEqual({ fiveHundreds: 0, total: 1000 });
  });
});

describe('GraphQL over HTTP', () => {
  const url = () => stack.graphqlUrl;
  it('serves queries over GET (with a CSRF-safe header) and refuses mutations over GET', async () => {
    const get = await fetch(`${url()}?query=${encodeURIComponent('{ levelRules { level } }')}`, { headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const mutation = await fetch(`${url()}?query=${encodeURIComponent('mutation { signOut }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(mutation.status).toBe(405);
  });

  it('blocks a CSRF-able simple request', async () => {
    const res = await fetch(`${url()}?query=${encodeURIComponent('{ levelRules { level } }')}`);
    expect(res.status).toBe(400);
    const form = await fetch(url(), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ levelRules { level } }' }) });
    expect(form.status).toBe(400);
  });

  it('uses the status codes and content types of the spec', async () => {
    const legacy = await gql(url(), '{ levelRules { level } }', {}, null, { accept: 'application/json' });
    expect(legacy.contentType).toMatch(/^application\/json/);
    const invalid = await gql(url(), '{ noSuchField }');
    expect(invalid.status).toBe(400);
    expect(errorCode(invalid)).toBe('GRAPHQL_VALIDATION_FAILED');
    const parse = await gql(url(), '{ levelRules { ');
    expect(parse.status).toBe(400);
    expect(errorCode(parse)).toBe('GRAPHQL_PARSE_FAILED');
    const badJson = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(badJson.status).toBe(400);
    const notAcceptable = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/csv' }, body: JSON.stringify({ query: '{ levelRules { level } }' }) });
    expect(notAcceptable.status).toBe(406);
    const put = await fetch(url(), { method: 'PUT' });
    expect(put.status).toBe(405);
  });

  it('answers /health with dependency status and /metrics with the request series', async () => {
    const health = await (await fetch(`${stack.gateway.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', checks: { supergraph: { status: 'up' }, redis: { status: 'up' }, nats: { status: 'up' } } });
    const subgraphHealth = await (await fetch(stack.subgraphs.get('identity')!.url.replace('/graphql', '/health'))).json();
    expect(subgraphHealth).toMatchObject({ status: 'ok', checks: { database: { status: 'up' }, redis: { status: 'up' }, nats: { status: 'up' } } });
    const metrics = await (await fetch(stack.subgraphs.get('identity')!.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toContain('http_requests_total');
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    expect(metrics).toContain('db_pool_connections{state="max"');
  });
});

describe('rate limits', () => {
  it('answers RATE_LIMITED with 429 and Retry-After past the per-IP budget', async () => {
    const limited = await startStack({ RATE_LIMIT_IP_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      let last: Response | null = null;
      for (let i = 0; i < 8; i++) {
        last = await fetch(limited.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ levelRules { level } }' }) });
        statuses.push(last.status);
        if (last.status === 429) {
          const body = await last.json();
          expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
          expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
        } else await last.arrayBuffer();
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
