import fc from 'fast-check';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, type GraphQLResponse } from '../testing/graphql-client.js';
import { startStack, type TestStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { signInStaff } from '../testing/viewers.js';

let stack: TestStack;
let userToken: string;
let staffToken: string;
beforeAll(async () => {
  stack = await startStack({ RATE_LIMIT_IP_PER_MINUTE: '100000', RATE_LIMIT_VIEWER_PER_MINUTE: '100000' });
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  userToken = res.body.data!.signInWithTelegram.accessToken;
  staffToken = (await signInStaff(stack, ['SUPERADMIN', 'ADMIN', 'FINANCE', 'COMPLIANCE', 'SUPPORT'])).token;
});
afterAll(async () => {
  await stack?.close();
});

/** Every error of the answer carries a stable client code; nothing is masked as an internal error. */
function expectClientError(res: GraphQLResponse, code: string) {
  expect(res.status).toBeLessThan(500);
  expect(res.body.errors?.map((e) => `${e.extensions?.code}: ${e.message}`)).toEqual([
    expect.stringMatching(`^${code}: `),
  ]);
  const error = res.body.errors![0]!;
  expect(error.message).not.toMatch(/Internal server error|at .*\.(js|ts):\d+/);
  expect(error.extensions).not.toHaveProperty('stacktrace');
  expect(error.extensions).not.toHaveProperty('response');
}

describe('an argument the gateway lets through but the subgraph refuses is the client’s error', () => {
  it('explicit null for a non-null argument with a default (market: chart(quote: Quote! = IRT))', async () => {
    const res = await gql(
      stack.graphqlUrl,
      `query($q: Quote) { asset(symbol: "TON") { symbol chart(timeframe: H1, quote: $q) { open } } }`,
      { q: null },
    );
    expectClientError(res, 'BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toMatch(/quote/);
  });

  it('explicit null for a non-null argument with a default on a staff list (identity: users(first: Int! = 20))', async () => {
    const res = await gql(
      stack.graphqlUrl,
      `query($f: Int) { users(first: $f) { pageInfo { hasNextPage } } }`,
      { f: null },
      staffToken,
    );
    expectClientError(res, 'BAD_USER_INPUT');
  });

  it('null for a defaulted non-null input field given through a variable (kyc: submitKyc birthDateCalendar)', async () => {
    const res = await gql(
      stack.graphqlUrl,
      `mutation($c: BirthCalendar) {
        submitKyc(input: { tier: BASIC, firstName: "علی", lastName: "رضایی", nationalId: "0012345679",
                           birthDate: "1370-01-01", birthDateCalendar: $c, documentIds: [] }) { id }
      }`,
      { c: null },
      userToken,
    );
    expectClientError(res, 'BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toMatch(/birthDateCalendar/);
  });
  it('a malformed Amount or DateTime variable is BAD_USER_INPUT before any subgraph runs', async () => {
    const chart = await gql(
      stack.graphqlUrl,
      `query($from: DateTime) { asset(symbol: "TON") { chart(timeframe: H1, from: $from) { open } } }`,
      { from: 'yesterday' },
    );
    expectClientError(chart, 'BAD_USER_INPUT');
    const transfer = await gql(
      stack.graphqlUrl,
      `mutation($a: Amount!) { transfer(input: { asset: "USDT_TON", amount: $a, toUsername: "nobody", idempotencyKey: "k1" }) { __typename } }`,
      { a: '1e5' },
      userToken,
    );
    expectClientError(transfer, 'BAD_USER_INPUT');
  });
});

describe('fuzzed mutation arguments through the gateway', () => {
  it('no INTERNAL_SERVER_ERROR and no 5xx for wrong types, nulls and out-of-range values', async () => {
    const introspection = await gql<IntrospectionQuery>(stack.graphqlUrl, getIntrospectionQuery(), {}, staffToken);
    const schema = buildClientSchema(introspection.body.data!);
    const mutations = Object.values(schema.getMutationType()!.getFields()).filter(
      // signing out would end the session the rest of the run uses
      (field) => !/^signOut/.test(field.name) && field.args.length > 0,
    );
    expect(mutations.length).toBeGreaterThan(20);

    const junk = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.constantFrom(0, -1, 2 ** 31, -(2 ** 31) - 1, 1e308, 0.5, Number.MAX_SAFE_INTEGER),
      fc.constantFrom('', ' ', '-1', '1e999', 'NaN', '0x10', '9'.repeat(100), 'null', '2026-13-45T99:00:00Z', 'usr_x'),
      fc.string({ maxLength: 20 }),
      fc.constant({}),
      fc.constant([]),
    );
    /** Required: non-null and without a default, so leaving it out is refused by the gateway itself. */
    const required = (input: { type: GraphQLInputType; defaultValue?: unknown }) =>
      isNonNullType(input.type) && input.defaultValue === undefined;
    /**
     * Mostly a value of the right shape (so it passes the gateway and reaches the subgraph), sometimes junk or
     * null; an explicit null is likeliest where the location is non-null with a default, the case the gateway's
     * validation lets through.
     */
    const valueFor = (type: GraphQLInputType, depth = 0, defaultValue?: unknown): fc.Arbitrary<unknown> => {
      const [typed, wrong, nil] = isNonNullType(type)
        ? defaultValue === undefined
          ? [12, 1, 1]
          : [2, 1, 3]
        : [4, 1, 1];
      return fc.oneof(
        { arbitrary: typedValue(type, depth), weight: typed },
        { arbitrary: junk, weight: wrong },
        { arbitrary: fc.constant(null), weight: nil },
      );
    };
    const typedValue = (type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> => {
      const inner = getNullableType(type) as GraphQLInputType;
      if (depth > 3) return junk;
      if (isListType(inner)) return fc.array(valueFor(inner.ofType, depth + 1), { maxLength: 3 });
      if (isInputObjectType(inner)) {
        const fields = Object.values(inner.getFields());
        return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, depth + 1, f.defaultValue)])), {
          requiredKeys: fields.filter(required).map((f) => f.name),
        });
      }
      if (isEnumType(inner)) return fc.constantFrom(...inner.getValues().map((v) => v.name), 'NOPE');
      if (isScalarType(inner)) {
        const typed: Record<string, fc.Arbitrary<unknown>> = {
          Int: fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 1000000),
          Float: fc.double({ noNaN: true }),
          Boolean: fc.boolean(),
          String: fc.string({ maxLength: 30 }),
          ID: fc.constantFrom('usr_01', 'x', '', 'wal_zzz', 'tkt_1'),
          Amount: fc.constantFrom('0', '-1', '0.0000000000000000001', '1e5', '12.5', '1'.repeat(79)),
          DateTime: fc.constantFrom('2026-01-01T00:00:00Z', 'yesterday', '0', '2026-02-30T00:00:00Z'),
        };
        return typed[inner.name] ?? fc.string({ maxLength: 10 });
      }
      return junk;
    };
    /** A variable's type: nullable where the location has a default, so an explicit null passes the gateway's validation. */
    const variableType = (input: { type: GraphQLInputType; defaultValue?: unknown }) =>
      input.defaultValue !== undefined && isNonNullType(input.type) ? String(input.type.ofType) : String(input.type);

    interface Slot {
      text: string;
      defs: string[];
      variables: Record<string, unknown>;
    }
    /** One argument: one variable, or (for an input object) a literal object with one variable per field. */
    const slotFor = (arg: GraphQLArgument): fc.Arbitrary<Slot> => {
      const asVariable = valueFor(arg.type, 0, arg.defaultValue).map((value) => ({
        text: `${arg.name}: $${arg.name}`,
        defs: [`$${arg.name}: ${variableType(arg)}`],
        variables: value === undefined ? {} : { [arg.name]: value },
      }));
      const object = getNullableType(arg.type);
      if (!isInputObjectType(object)) return asVariable;
      const fields = Object.values(object.getFields());
      const perField = fc
        .record(Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, 1, f.defaultValue)])), {
          requiredKeys: fields.filter(required).map((f) => f.name),
        })
        .map((values) => ({
          text: `${arg.name}: { ${fields.map((f) => `${f.name}: $${arg.name}_${f.name}`).join(', ')} }`,
          defs: fields.map((f) => `$${arg.name}_${f.name}: ${variableType(f)}`),
          variables: Object.fromEntries(Object.entries(values).map(([k, v]) => [`${arg.name}_${k}`, v])),
        }));
      return fc.oneof(asVariable, perField);
    };
    const cases = fc
      .constantFrom(...mutations)
      .chain((field) => fc.tuple(fc.constant(field), fc.tuple(...field.args.map(slotFor)), fc.boolean()));

    const seen = new Map<string, number>();
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(cases, async ([field, slots, asStaff]) => {
        const operation = `mutation(${slots.flatMap((s) => s.defs).join(', ')}) {
          ${field.name}(${slots.map((s) => s.text).join(', ')}) { __typename }
        }`;
        const variables = Object.assign({}, ...slots.map((s) => s.variables)) as Record<string, unknown>;
        const res = await gql(stack.graphqlUrl, operation, variables, asStaff ? staffToken : userToken);
        const codes = (res.body.errors ?? []).map((e) => e.extensions?.code ?? 'none');
        for (const code of codes) seen.set(code, (seen.get(code) ?? 0) + 1);
        if (res.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR') || codes.includes('none'))
          failures.push(`${operation} ${JSON.stringify(variables)} → ${res.status} ${JSON.stringify(res.body.errors)}`);
        return true;
      }),
      { numRuns: 380, seed: 20261207 },
    );
    console.log(`fuzzed ${mutations.length} mutations: error codes ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
