import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_CONTEXT_HEADER } from '../platform/auth/tokens.js';
import { errorCode, gql } from '../testing/graphql-client.js';
import { startStack, type TestStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { internalTokenFor } from '../testing/viewers.js';

let stack: TestStack;
let token: string;
beforeAll(async () => {
  stack = await startStack({ RATE_LIMIT_IP_PER_MINUTE: '100000', RATE_LIMIT_VIEWER_PER_MINUTE: '100000' });
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  token = res.body.data!.signInWithTelegram.accessToken;
});
afterAll(async () => {
  await stack?.close();
});

describe('subgraphs refuse calls around the gateway', () => {
  /** Signed as the gateway signs (EdDSA), with any key, algorithm, audience or lifetime. */
  const internalToken = (options: {
    audience: string;
    key?: Parameters<SignJWT['sign']>[0];
    alg?: string;
    iat?: number;
    lifetime?: number;
  }) => {
    const iat = options.iat ?? Math.floor(Date.now() / 1000);
    return new SignJWT({ roles: ['SUPERADMIN'], claims: [] })
      .setProtectedHeader({ alg: options.alg ?? 'EdDSA' })
      .setSubject('usr_x')
      .setIssuer('gateway')
      .setAudience(options.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (options.lifetime ?? 30))
      .sign(options.key ?? stack.gatewayConfig.internalTokens.privateKey);
  };
  const status = async (subgraph: string, token?: string) =>
    (
      await gql(
        stack.subgraphs.get(subgraph)!.url,
        '{ __typename }',
        {},
        null,
        token ? { [INTERNAL_CONTEXT_HEADER]: token } : {},
      )
    ).status;

  it('no internal token, a forged one, an HMAC one, an expired one or one living over 30 s → 401 UNAUTHENTICATED', async () => {
    const identityUrl = stack.subgraphs.get('identity')!.url;
    const query = '{ me { id } }';
    expect((await gql(identityUrl, query)).status).toBe(401);
    const forged = await internalToken({ audience: 'identity', key: generateKeyPairSync('ed25519').privateKey });
    const withForged = await gql(identityUrl, query, {}, null, { [INTERNAL_CONTEXT_HEADER]: forged });
    expect(withForged.status).toBe(401);
    expect(errorCode(withForged)).toBe('UNAUTHENTICATED');
    // the shared-secret scheme of before: an HS256 token under the access-token secret
    expect(
      await status(
        'identity',
        await internalToken({
          audience: 'identity',
          alg: 'HS256',
          key: new TextEncoder().encode(stack.config.auth.jwtSecret),
        }),
      ),
    ).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    expect(await status('identity', await internalToken({ audience: 'identity', iat: now - 600, lifetime: 30 }))).toBe(
      401,
    );
    expect(await status('identity', await internalToken({ audience: 'identity', lifetime: 3600 }))).toBe(401);
    // the user's own access token is not an internal token either
    expect((await gql(identityUrl, query, {}, null, { [INTERNAL_CONTEXT_HEADER]: token })).status).toBe(401);
    // and the gateway's own token for identity passes
    expect(await status('identity', await internalToken({ audience: 'identity' }))).toBe(200);
  });

  it('a token minted for market is refused by ledger (audience per subgraph)', async () => {
    const forMarket = await internalTokenFor(stack, 'market', { userId: null, roles: [], claims: [], sessionId: null });
    expect(await status('market', forMarket)).toBe(200);
    expect(await status('ledger', forMarket)).toBe(401);
    expect(await status('wallet', forMarket)).toBe(401);
    expect(
      await status(
        'ledger',
        await internalTokenFor(stack, 'ledger', { userId: null, roles: [], claims: [], sessionId: null }),
      ),
    ).toBe(200);
  });

  it('the subgraphs hold only the public key; the gateway alone the private one', () => {
    for (const running of stack.subgraphs.values()) {
      expect(running.deps.config.internalTokens.publicKey.type).toBe('public');
      expect(running.deps.config).not.toHaveProperty('internalTokens.privateKey');
    }
    expect(stack.gatewayConfig.internalTokens.privateKey.type).toBe('private');
    expect(stack.gatewayConfig).not.toHaveProperty('wallet');
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
    expect(await startLimitsCheck(costly, { QUERY_MAX_COST: '1000' })).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'cost',
      max: 1000,
    });

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
    const fragments = [
      '{',
      '}',
      'query',
      'mutation',
      'subscription',
      'me',
      'users(first: -1)',
      '...on User',
      '$x',
      '@skip(if: $x)',
      '"',
      '\\u0000',
      'fragment F on User',
      '...F',
      '(',
      ')',
      ':',
      'id',
      '__schema',
      'levelRules',
      '#',
      '\n',
      '1e999',
      'null',
      '[',
      ']',
      '=',
      '!',
      'signInWithTelegram(initData: 1)',
    ];
    const operation = fc.oneof(
      fc.array(fc.constantFrom(...fragments), { maxLength: 30 }).map((parts) => parts.join(' ')),
      fc.string({ maxLength: 200 }),
      fc.constantFrom('', 'null', '{ me { id }', 'query ($a: Int!) { users(first: $a) { pageInfo { hasNextPage } } }'),
    );
    const variables = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue()),
      fc.string(),
    );
    const samples = fc.sample(fc.tuple(operation, variables, fc.boolean(), fc.boolean()), {
      numRuns: 1000,
      seed: 424242,
    });
    const statuses = new Map<number, number>();
    for (let i = 0; i < samples.length; i += 25) {
      const batch = samples.slice(i, i + 25);
      const results = await Promise.all(
        batch.map(async ([query, vars, asText, withToken]) => {
          const res = await fetch(stack.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(withToken ? { authorization: `Bearer ${token}` } : {}) },
            body: asText
              ? `{"query": ${JSON.stringify(query)}, "variables": ${typeof vars === 'string' ? vars : JSON.stringify(vars ?? null)}`
              : JSON.stringify({ query, variables: vars }),
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
    const get = await fetch(`${url()}?query=${encodeURIComponent('{ levelRules { level } }')}`, {
      headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const mutation = await fetch(`${url()}?query=${encodeURIComponent('mutation { signOut }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(mutation.status).toBe(405);
  });

  it('blocks a CSRF-able simple request', async () => {
    const res = await fetch(`${url()}?query=${encodeURIComponent('{ levelRules { level } }')}`);
    expect(res.status).toBe(400);
    const form = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ levelRules { level } }' }),
    });
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
    const badJson = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(badJson.status).toBe(400);
    const notAcceptable = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/csv' },
      body: JSON.stringify({ query: '{ levelRules { level } }' }),
    });
    expect(notAcceptable.status).toBe(406);
    const put = await fetch(url(), { method: 'PUT' });
    expect(put.status).toBe(405);
  });

  it('public port: a bare /health for load balancers, no /metrics, /ready or dependency detail', async () => {
    const health = await fetch(`${stack.gateway.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy' });
    for (const path of ['/metrics', '/ready', '/live'])
      expect((await fetch(`${stack.gateway.url}${path}`)).status).toBe(404);
  });

  it('admin port: health as the spec shows, readiness, and the spec metric names after a query', async () => {
    expect((await gql(stack.graphqlUrl, '{ levelRules { level } }')).status).toBe(200);
    const health = await fetch(`${stack.gateway.adminUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'healthy',
      service: 'gateway',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      uptime: expect.any(Number),
      dependencies: { supergraph: 'healthy', redis: 'healthy', nats: 'healthy' },
    });
    expect(await (await fetch(`${stack.gateway.adminUrl}/ready`)).json()).toEqual({
      status: 'ready',
      service: 'gateway',
    });
    const metrics = await (await fetch(`${stack.gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /^http_requests_total\{method="POST",path="\/graphql",status="200",service="gateway"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^http_request_duration_seconds_count\{service="gateway",method="POST",path="\/graphql"\} [1-9]/m,
    );
  });

  it('a subgraph: health with database, redis and nats; its pool and statements in /metrics', async () => {
    const identity = stack.subgraphs.get('identity')!.url.replace('/graphql', '');
    const health = await fetch(`${identity}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'healthy',
      service: 'identity',
      dependencies: { database: 'healthy', redis: 'healthy', nats: 'healthy' },
    });
    expect((await fetch(`${identity}/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${identity}/metrics`)).text();
    expect(metrics).toMatch(
      /^http_requests_total\{method="POST",path="\/graphql",status="200",service="identity"\} [1-9]/m,
    );
    for (const gauge of [
      'db_connections_active',
      'db_connections_idle',
      'db_connections_pending',
      'db_connections_max',
    ])
      expect(metrics).toMatch(new RegExp(`^${gauge}\\{service="identity"\\} \\d+`, 'm'));
    // the sign-in in beforeAll read and wrote users: both kinds of statement were timed
    expect(metrics).toMatch(/^db_query_duration_seconds_count\{service="identity",query_type="select"\} [1-9]/m);
    expect(metrics).toMatch(/^db_query_duration_seconds_count\{service="identity",query_type="insert"\} [1-9]/m);
  });

  it('the outbox relay (a plain pg pool): its statements timed and its pool in /metrics too', async () => {
    const metrics = await (await fetch(`${stack.relay.url}/metrics`)).text();
    expect(metrics).toMatch(/^db_connections_max\{service="outbox-relay"\} 4$/m);
    // it polls every outbox (select) from the start
    expect(metrics).toMatch(/^db_query_duration_seconds_count\{service="outbox-relay",query_type="select"\} [1-9]/m);
  });

  it('counts wallets_created_total{network} once per address created and balance_queries_total{network} per read', async () => {
    // one series of a subgraph's /metrics: `name` with every given label, whatever their order
    const sample = async (subgraph: string, [name, ...labels]: string[]) => {
      const text = await (await fetch(stack.subgraphs.get(subgraph)!.url.replace('/graphql', '/metrics'))).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const tonWallets = ['wallets_created_total', 'network="TON"', 'service="wallet"'];
    const before = await sample('wallet', tonWallets);
    const ask = async () =>
      (await gql(stack.graphqlUrl, '{ me { depositAddress(network: TON) { address } } }', {}, token)).body;
    const first = await ask();
    expect(first.errors).toBeUndefined();
    expect(await sample('wallet', tonWallets)).toBe(before + 1);
    expect(await ask()).toEqual(first); // the same address again: nothing created
    expect(await sample('wallet', tonWallets)).toBe(before + 1);

    const ton = ['balance_queries_total', 'network="TON"'];
    const fiat = ['balance_queries_total', 'network="FIAT"'];
    const [tonBefore, fiatBefore] = [await sample('ledger', ton), await sample('ledger', fiat)];
    const res = await gql(
      stack.graphqlUrl,
      '{ balances(assets: ["TON", "USDT_TON", "IRT"]) { available } }',
      {},
      token,
    );
    expect(res.body.errors).toBeUndefined();
    expect(await sample('ledger', ton)).toBe(tonBefore + 1);
    expect(await sample('ledger', fiat)).toBe(fiatBefore + 1);
  });
});

describe('rate limits', () => {
  it('answers RATE_LIMITED with 429 and Retry-After past the per-IP budget', async () => {
    const limited = await startStack({ RATE_LIMIT_IP_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      let last: Response | null = null;
      for (let i = 0; i < 8; i++) {
        last = await fetch(limited.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ levelRules { level } }' }),
        });
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
