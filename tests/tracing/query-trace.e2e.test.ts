import { tracing } from '../../testing/tracing-on.js';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { until } from '../../testing/until.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
  await tracing.stop();
});

const EXPECTED_CHAIN = ['gateway /graphql', 'subgraph identity', 'identity /graphql'];

describe('a query is one trace', () => {
  it('gateway → subgraph (traceparent beside the internal token) → Postgres, with each span the parent of the next', async () => {
    const signIn = await gql(
      stack.graphqlUrl,
      `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
      { d: initDataFor(newTelegramUser()) },
    );
    const token = signIn.body.data!.signInWithTelegram.accessToken as string;
    tracing.reset();

    const res = await gql(stack.graphqlUrl, `{ me { id username settings { language } } }`, {}, token);
    expect(res.body.errors).toBeUndefined();

    const root = await until(
      'the gateway span of the query',
      () => tracing.spans().find((s) => s.name === 'gateway /graphql'),
      (s) => s !== undefined,
    );
    const traceId = root!.spanContext().traceId;
    expect(root!.kind).toBe(SpanKind.SERVER);
    const spans = await until(
      'the Postgres spans of the subgraph',
      () => tracing.trace(traceId),
      (all) => all.some((s) => s.name.startsWith('pg.query')),
    );

    // The gateway's request is the trace's root (or the http instrumentation's span of it, when Node's http is patched).
    expect(tracing.ancestry(root!).length).toBeLessThanOrEqual(2);
    const client = spans.find((s) => s.name === 'subgraph identity')!;
    expect(client.kind).toBe(SpanKind.CLIENT);
    const server = spans.find((s) => s.name === 'identity /graphql')!;
    expect(server.kind).toBe(SpanKind.SERVER);
    // graphql execution in the subgraph (instrumentation-graphql) and its SQL (instrumentation-pg) sit under the
    // subgraph's span, under the gateway's client span, under the gateway's request
    const sql = spans.filter((s) => s.name.startsWith('pg.query'));
    expect(sql.length).toBeGreaterThan(0);
    for (const query of sql) {
      const chain = tracing.ancestry(query);
      expect(chain[0]).toBe(tracing.ancestry(root!)[0]);
      expect(chain.filter((name) => EXPECTED_CHAIN.includes(name))).toEqual(EXPECTED_CHAIN);
      // the subgraph's graphql execution (no span per resolved field: platform/telemetry/sdk.ts) holds the SQL
      expect(chain.indexOf('query')).toBeGreaterThan(chain.indexOf('identity /graphql'));
    }
    expect(
      spans.some((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-graphql' && s.name === 'query'),
    ).toBe(true);
    // nothing of another request leaked into this trace
    expect(spans.filter((s) => s.name === 'gateway /graphql')).toHaveLength(1);
  });
});
