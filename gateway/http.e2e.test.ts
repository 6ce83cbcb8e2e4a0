import fc from 'fast-check';
import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '../testing/graphql-client.js';
import { startStack, type TestStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { callSubgraphAs } from '../testing/viewers.js';
import { ANONYMOUS } from '../platform/auth/viewer.js';

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

/** Milliseconds from sending a request to its whole answer. */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
}
afterAll(async () => {
  await stack?.close();
});

describe('GraphQL over HTTP conformance (graphql-http server audits)', () => {
  it('passes every MUST audit', async () => {
    const results: AuditResult[] = [];
    for (const audit of serverAudits({ url: () => stack.graphqlUrl })) results.push(await audit.fn());
    const level = (r: AuditResult) => r.name.split(' ')[0] as 'MUST' | 'SHOULD' | 'MAY';
    const tally = (l: string) => {
      const of = results.filter((r) => level(r) === l);
      return { passed: of.filter((r) => r.status === 'ok').length, total: of.length };
    };
    const failed = results.filter((r) => r.status !== 'ok').map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
    console.log(
      `graphql-http audits: MUST ${JSON.stringify(tally('MUST'))}, SHOULD ${JSON.stringify(tally('SHOULD'))}, MAY ${JSON.stringify(tally('MAY'))}\n${failed.join('\n')}`,
    );
    const must = tally('MUST');
    expect(must.total).toBeGreaterThan(0);
    expect(results.filter((r) => level(r) === 'MUST' && r.status !== 'ok').map((r) => r.name)).toEqual([]);
  });
});

describe("operations the gateway cannot run are the client's errors", () => {
  const post = async (body: Record<string, unknown>, accept = 'application/graphql-response+json') => {
    const res = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] },
    };
  };

  it('several operations and no operationName, an unknown operationName, a subscription over HTTP → 400 with a clear code', async () => {
    const two = 'query A { levelRules { level } } query B { assets { symbol } }';
    const cases = [
      { body: { query: two }, code: 'OPERATION_RESOLUTION_FAILURE', message: /operationName/ },
      { body: { query: two, operationName: 'C' }, code: 'OPERATION_RESOLUTION_FAILURE', message: /"C"/ },
      {
        body: { query: 'query A { levelRules { level } }', operationName: 'B' },
        code: 'OPERATION_RESOLUTION_FAILURE',
        message: /"B"/,
      },
      {
        body: { query: 'subscription { priceUpdated(symbol: "TON", quote: USD) { symbol } }' },
        code: 'SUBSCRIPTION_OVER_HTTP',
        message: /WebSocket/,
      },
    ];
    for (const { body, code, message } of cases) {
      const res = await post(body);
      expect({ status: res.status, code: res.body.errors?.[0]?.extensions?.code }, JSON.stringify(body)).toEqual({
        status: 400,
        code,
      });
      expect(res.body.errors?.[0]?.message).toMatch(message);
      expect(res.body.data).toBeUndefined();
    }
    // the named operation still runs
    const named = await post({ query: two, operationName: 'B' });
    expect(named.status).toBe(200);
  });
});

describe('hostile requests', () => {
  it('1,200 malformed and ambiguous operations (several operations, wrong operationName, subscriptions, bad variables) see no 5xx', async () => {
    // Valid operations (their variables declared), combined into documents with or without names, fragments and noise.
    const operations: [kind: string, vars: string, selection: string][] = [
      ['query', '', '{ levelRules { level } }'],
      ['query', '', '{ assets { symbol decimals } }'],
      ['query', '($s: [String!]!)', '{ prices(symbols: $s, quote: USD) { symbol } }'],
      ['query', '($q: Quote!)', '{ price(symbol: "TON", quote: $q) { symbol } }'],
      ['query', '($n: Int!)', '{ users(first: $n) { pageInfo { hasNextPage } } }'],
      ['query', '', '{ me { id } }'],
      ['query', '', '{ __schema { queryType { name } } }'],
      ['query', '', '{ __typename ...F }'],
      ['mutation', '', '{ signOut }'],
      [
        'mutation',
        '($x: Amount!)',
        '{ transfer(input: { toUserId: "usr_x", asset: "TON", amount: $x, idempotencyKey: "k" }) { __typename } }',
      ],
      ['subscription', '', '{ priceUpdated(symbol: "TON", quote: USD) { symbol } }'],
      [
        'subscription',
        '',
        '{ a: priceUpdated(symbol: "TON", quote: USD) { symbol } b: priceUpdated(symbol: "ETH", quote: USD) { symbol } }',
      ],
    ];
    const definition = fc
      .tuple(
        fc.constantFrom(...operations),
        fc.option(fc.constantFrom('A', 'B', 'C'), { nil: undefined }),
        fc.boolean(),
      )
      .map(([[kind, vars, selection], name, short]) =>
        short && kind === 'query' && !name && !vars ? selection : `${kind} ${name ?? ''}${vars} ${selection}`,
      );
    const noise = fc.option(
      fc.tuple(fc.nat(), fc.constantFrom('', '{', '}', '$', '...', '"', 'query', '@skip', '(', '\u0000')),
      { freq: 4, nil: undefined },
    );
    const document = fc
      .tuple(fc.array(definition, { minLength: 1, maxLength: 3 }), fc.boolean(), noise)
      .map(([defs, withFragment, corrupt]) => {
        const text =
          defs.join('\n') +
          (withFragment || defs.some((d) => d.includes('...F'))
            ? '\nfragment F on Query { levelRules { level } }'
            : '');
        if (!corrupt) return text;
        const at = corrupt[0] % (text.length + 1);
        return text.slice(0, at) + corrupt[1] + text.slice(at + 1);
      });
    const variables = fc.oneof(
      fc.constant(undefined),
      fc.record(
        {
          s: fc.oneof(fc.array(fc.constantFrom('TON', 'ETH', 'NOPE'), { maxLength: 60 }), fc.string(), fc.integer()),
          q: fc.constantFrom('USD', 'IRT', 'EUR', 7),
          n: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double(), fc.constant(1e300), fc.string()),
          x: fc.oneof(
            fc.constant('1.5'),
            fc.constant('1e5'),
            fc.string({ maxLength: 90 }),
            fc.constant('9'.repeat(5000)),
          ),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    const operationName = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom('A', 'B', 'C', 'Z', ''),
      fc.integer(),
      fc.constant(null),
    );
    const samples = fc.sample(fc.record({ query: document, variables, operationName, get: fc.boolean() }), {
      numRuns: 1200,
      seed: 20261207,
    });
    const statuses = new Map<number, number>();
    const codes = new Map<string, number>();
    const withoutCode: string[] = [];
    for (let i = 0; i < samples.length; i += 24) {
      await Promise.all(
        samples.slice(i, i + 24).map(async (sample) => {
          let res: Response;
          if (sample.get) {
            const params = new URLSearchParams({ query: sample.query });
            if (sample.variables !== undefined) params.set('variables', JSON.stringify(sample.variables));
            if (typeof sample.operationName === 'string') params.set('operationName', sample.operationName);
            res = await fetch(`${stack.graphqlUrl}?${params}`, { headers: { 'apollo-require-preflight': 'true' } });
          } else {
            res = await fetch(stack.graphqlUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(sample),
            });
          }
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const body = (await res.json()) as { errors?: { extensions?: { code?: unknown } }[] };
          const code = body.errors?.[0]?.extensions?.code;
          codes.set(String(code ?? 'none'), (codes.get(String(code ?? 'none')) ?? 0) + 1);
          for (const e of body.errors ?? [])
            if (typeof e.extensions?.code !== 'string') withoutCode.push(JSON.stringify(sample));
          if (res.status >= 500) withoutCode.push(`${res.status}: ${JSON.stringify(sample)} → ${JSON.stringify(body)}`);
        }),
      );
    }
    console.log(
      `hostile operations by status: ${JSON.stringify(Object.fromEntries(statuses))}, by first error code: ${JSON.stringify(Object.fromEntries(codes))}`,
    );
    const fiveHundreds = [...statuses].filter(([status]) => status >= 500).reduce((n, [, count]) => n + count, 0);
    expect({ fiveHundreds, withoutCode: withoutCode.slice(0, 3) }).toEqual({ fiveHundreds: 0, withoutCode: [] });
    // the sample reaches every stage: parsing, validation, operation resolution (which used to answer 500), the guard, execution
    for (const code of [
      'GRAPHQL_PARSE_FAILED',
      'GRAPHQL_VALIDATION_FAILED',
      'OPERATION_RESOLUTION_FAILURE',
      'SUBSCRIPTION_OVER_HTTP',
      'UNAUTHENTICATED',
      'none',
    ]) {
      expect(codes.get(code), code).toBeGreaterThan(0);
    }
  });
});

describe('Amount', () => {
  const transfer =
    'mutation($a: Amount!) { transfer(input: { toUsername: "nobody_here", asset: "TON", amount: $a, idempotencyKey: "amount-cap" }) { __typename } }';

  it('an amount longer than 80 characters is BAD_USER_INPUT at the gateway; a 1,000,000-digit one is refused fast', async () => {
    const long = await gql(stack.graphqlUrl, transfer, { a: '1'.repeat(81) }, token);
    expect(long.status).toBe(400);
    expect(long.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const literal = await gql(
      stack.graphqlUrl,
      transfer.replace('mutation($a: Amount!)', 'mutation').replace('$a', `"${'1'.repeat(81)}"`),
      {},
      token,
    );
    expect(literal.status).toBe(400);
    expect(literal.body.errors?.[0]?.message).toMatch(/at most 80 characters/);
    const normal = await timed(() => gql(stack.graphqlUrl, transfer, { a: '1.5' }, token));
    const huge = await timed(() => gql(stack.graphqlUrl, transfer, { a: '1'.repeat(1_000_000) }, token));
    console.log(
      `transfer with a normal amount: ${normal.ms.toFixed(1)} ms; with a 1,000,000-digit amount: ${huge.ms.toFixed(1)} ms (${huge.result.status} ${errorCode(huge.result)})`,
    );
    expect(huge.result.status).toBe(400);
    expect(errorCode(huge.result)).toBe('BAD_USER_INPUT');
  });
});

describe('expensive anonymous requests are refused before any work', () => {
  const aliased = (n: number) =>
    `query($s: [String!]!) { ${Array.from({ length: n }, (_, i) => `p${i}: prices(symbols: $s, quote: USD) { symbol }`).join(' ')} }`;
  const send = (body: string) =>
    fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body,
    });
  // 14 aliased prices(symbols: $s) with 60,000 symbols of 22 characters: a 1.5 MB body
  const huge = JSON.stringify({
    query: aliased(14),
    variables: { s: Array.from({ length: 60_000 }, (_, i) => `SYMBOL_${String(i).padStart(15, '0')}`) },
  });
  // the same list of short symbols fits in the body limit (≈ 420 KB)
  const longList = JSON.stringify({
    query: aliased(14),
    variables: { s: Array.from({ length: 60_000 }, () => 'TON') },
  });

  it('a 1.5 MB body → 413 PAYLOAD_TOO_LARGE; 60,000 symbols → 400 BAD_USER_INPUT; 51 symbols → refused at the gateway like the market subgraph does', async () => {
    expect(huge.length).toBeGreaterThan(1_500_000);
    const answer = async (body: string) => {
      const res = await send(body);
      return { status: res.status, body: (await res.json()) as { errors?: { extensions: Record<string, unknown> }[] } };
    };
    const tooLarge = await answer(huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.errors?.[0]!.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBytes: 1_048_576 });
    const tooLong = await answer(longList);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors?.[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'listLength',
      max: 100,
      actual: 60_000,
      at: '$s',
    });

    // The figure the issue asks for, as medians of 15 sequential requests from this (loaded) process, next to the
    // smallest request the gateway answers, measured the same way in the same run.
    const median = async (body: string) => {
      const times: number[] = [];
      for (let i = 0; i < 15; i++) times.push((await timed(() => answer(body))).ms);
      return times.sort((a, b) => a - b)[7]!;
    };
    const baseline = await median(JSON.stringify({ query: '{ __typename }' }));
    const [bodyMs, listMs] = [await median(huge), await median(longList)];
    console.log(
      `refused (median of 15, client-side): 1.5 MB body in ${bodyMs.toFixed(1)} ms, 60,000-item list (${(longList.length / 1024).toFixed(0)} KB) in ${listMs.toFixed(1)} ms; { __typename } answered in ${baseline.toFixed(1)} ms`,
    );

    // nesting that would overflow graphql-js's recursive coercion (it answered 500), declared or not
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    for (const query of [aliased(1), '{ levelRules { level } }']) {
      const nested = await answer(`{"query": ${JSON.stringify(query)}, "variables": {"s": ${deep}}}`);
      expect(nested.status).toBe(400);
      expect(nested.body.errors?.[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'depth', max: 32 });
    }
    const deepExtensions = await send(`{"query": "{ levelRules { level } }", "extensions": {"x": ${deep}}}`);
    expect(deepExtensions.status).toBeLessThan(500);

    const symbols = (n: number) => Array.from({ length: n }, (_, i) => ['TON', 'ETH', 'TRX', 'BNB'][i % 4]!);
    const over = await gql(stack.graphqlUrl, aliased(1), { s: symbols(51) });
    expect(over.status).toBe(400);
    expect(over.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'listLength',
      max: 50,
      actual: 51,
      at: 'Query.prices.symbols',
    });
    const literal = await gql(
      stack.graphqlUrl,
      `{ prices(symbols: ${JSON.stringify(symbols(51))}, quote: USD) { symbol } }`,
    );
    expect(literal.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', at: 'Query.prices.symbols' });
    const atCap = await gql(stack.graphqlUrl, aliased(1), { s: symbols(50) });
    expect(atCap.status).toBe(200);
    // the gateway's maximum is the market subgraph's own
    const direct = await callSubgraphAs(
      stack,
      'market',
      ANONYMOUS,
      'query($s: [String!]!) { prices(symbols: $s, quote: USD) { symbol } }',
      { s: symbols(51) },
    );
    expect(errorCode(direct)).toBe('BAD_USER_INPUT');
    expect(
      errorCode(
        await callSubgraphAs(
          stack,
          'market',
          ANONYMOUS,
          'query($s: [String!]!) { prices(symbols: $s, quote: USD) { symbol } }',
          { s: symbols(50) },
        ),
      ),
    ).not.toBe('BAD_USER_INPUT');
  });

  it("a storm of them leaves the process's RSS within 200 MB of where it started, and flat in its second half", async () => {
    const before = process.memoryUsage().rss;
    const peaks: number[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    for (let half = 0; half < 2; half++) {
      let peak = 0;
      for (let round = 0; round < 20; round++) {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            send(i % 2 ? huge : longList).then(async (res) => (await res.arrayBuffer(), res.status)),
          ),
        );
        for (const status of results) statuses.set(status, (statuses.get(status) ?? 0) + 1);
        peak = Math.max(peak, process.memoryUsage().rss);
      }
      peaks.push(peak);
    }
    const elapsed = performance.now() - started;
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
    console.log(
      `storm: 800 requests (400 × 1.5 MB, 400 × 60,000 items, 20 at a time) in ${elapsed.toFixed(0)} ms; RSS before ${mb(before)}, peak of the first half ${mb(peaks[0]!)}, of the second ${mb(peaks[1]!)}`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 400: 400, 413: 400 });
    // This process also runs the test client and every subgraph; the client alone holds 20 bodies of up to 1.5 MB.
    expect(peaks[1]! - before).toBeLessThan(200 * 2 ** 20);
    // nothing accumulates: the second half needs no more memory than the first (a little slack for the allocator)
    expect(peaks[1]! - peaks[0]!).toBeLessThan(40 * 2 ** 20);
  });
});

// Last: it stops the market subgraph.
describe('a subgraph that is down', () => {
  it('answers SERVICE_UNAVAILABLE (retryable), with HTTP 503 when nothing could be served', async () => {
    const market = stack.subgraphs.get('market')!;
    stack.subgraphs.delete('market');
    await market.close();

    const nothing = await gql(stack.graphqlUrl, '{ assets { symbol } }');
    expect(nothing.status).toBe(503);
    expect(nothing.body.data ?? null).toBeNull();
    expect(nothing.body.errors?.[0]?.extensions).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      service: 'market',
      retryable: true,
    });
    expect(nothing.body.errors?.[0]?.message).toMatch(/market service is unavailable/);

    // identity still answers its part; the market's field is null with the code at its path
    const partial = await gql(stack.graphqlUrl, '{ levelRules { level } price(symbol: "TON", quote: USD) { symbol } }');
    expect(partial.status).toBe(200);
    expect(partial.body.data).toMatchObject({ levelRules: expect.any(Array), price: null });
    expect(partial.body.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
  });
});
