import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPartnerExample } from '../../clients/sdk/examples/partner.js';
import * as sdk from '../../clients/sdk/index.js';
import { initDataFor } from '../../testing/telegram.js';
import type { NamedCase } from '../sdk/case.js';
import { SDK_CASE_FILES } from '../sdk/cases/index.js';
import { startSdkWorld, type SdkWorld } from '../sdk/world.js';

/**
 * Every document of the published SDK (clients/sdk/operations/*.graphql, generated into clients/sdk/index.ts) runs
 * against the real gateway, over HTTP or graphql-ws, and comes back without errors (or with the one stable code its
 * case expects): no document rots. An operation without a case fails here.
 */
const OPERATIONS = new URL('../../clients/sdk/operations/', import.meta.url);
const operationsByFile = new Map(
  readdirSync(OPERATIONS)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((file) => [
      file,
      parse(readFileSync(new URL(file, OPERATIONS), 'utf8'))
        .definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []))
        .sort(),
    ]),
);
const generatedOperations = Object.entries(sdk)
  .filter(([name, value]) => name.endsWith('Document') && (value as DocumentNode).kind === Kind.DOCUMENT)
  .flatMap(([, value]) =>
    (value as DocumentNode).definitions.flatMap((d) =>
      d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : [],
    ),
  )
  .sort();

describe('the SDK documents and their cases', () => {
  it('the generated SDK holds exactly the operations of clients/sdk/operations (run npm run codegen)', () => {
    expect(generatedOperations).toEqual([...operationsByFile.values()].flat().sort());
  });

  it('every operations file has a cases module, and every operation exactly one case', () => {
    const covered = new Map(SDK_CASE_FILES.map((f) => [f.file, f.cases.map((c) => c.name).sort()]));
    for (const [file, operations] of operationsByFile)
      expect(covered.get(file), `cases of ${file} (tests/sdk/cases/, registered in tests/sdk/cases/index.ts)`).toEqual(
        operations,
      );
    expect([...covered.keys()].sort()).toEqual([...operationsByFile.keys()]);
  });
});

let world: SdkWorld;
beforeAll(async () => {
  world = await startSdkWorld();
}, 180_000);
afterAll(async () => {
  await world?.close();
});

async function execute(c: NamedCase): Promise<void> {
  const viewer = c.run.as(world);
  const variables = (await c.run.variables?.(world)) ?? {};
  let data: unknown;
  let errors: readonly { message: string; extensions?: { code?: unknown } }[] | undefined;
  if (c.kind === 'subscription') {
    if (!c.run.cause) throw new Error(`the case of subscription ${c.name} has no cause`);
    const event = await world.firstEvent(c.document, variables, viewer, () => c.run.cause!(world));
    ({ data, errors } = event);
  } else {
    if (c.run.cause) throw new Error(`${c.name} is not a subscription: a cause does nothing`);
    const res = await world.run(c.document, variables, viewer);
    ({ data, errors } = res.body);
  }
  if (c.run.expectError) {
    expect(errors?.map((e) => e.extensions?.code)).toEqual([c.run.expectError]);
    return;
  }
  expect(errors, `${c.name}: ${JSON.stringify(errors)}`).toBeUndefined();
  await c.run.check?.(data as never, world);
}

for (const file of SDK_CASE_FILES)
  describe(`clients/sdk/operations/${file.file} against the gateway`, () => {
    beforeAll(async () => {
      await file.setup?.(world);
    }, 60_000);
    for (const c of file.cases) it(`${c.kind} ${c.name}`, () => execute(c), 60_000);
  });

describe('the partner example (clients/sdk/examples/partner.ts, npm run sdk:example)', () => {
  it('signs in, reads balances, prices and history, and prints a live price it watched', async () => {
    const partner = await world.newUser({ USDT_TON: '25' });
    const friend = await world.newUser();
    const sent = await world.run(
      sdk.TransferDocument,
      {
        input: { toUsername: friend.username, asset: 'USDT_TON', amount: '5', idempotencyKey: `partner-${Date.now()}` },
      },
      partner,
    );
    expect(sent.body.data?.transfer.__typename).toBe('Transaction');

    const lines: string[] = [];
    const result = await runPartnerExample({
      gatewayUrl: world.stack.graphqlUrl,
      initData: initDataFor(partner.telegram),
      watchMs: 1500,
      print: (line) => lines.push(line),
      onWatching: () => world.refreshPrices(),
    });
    expect(result.me.id).toBe(partner.userId);
    const usdt = result.balances.find((b) => b.asset.symbol === 'USDT_TON')!;
    expect(Number(usdt.available)).toBeGreaterThan(19);
    expect(result.prices.map((p) => p?.symbol)).toEqual(['TON', 'USDT_TRON', 'ETH']);
    expect(result.history.map((e) => e.node.kind).sort()).toEqual(['ADJUSTMENT', 'TRANSFER']);
    expect(result.live.map((p) => p.symbol).sort()).toEqual(['ETH', 'TON']);
    expect(lines[0]).toBe(`signed in as ${partner.username} (level 1)`);
    expect(lines).toContain(`balance USDT_TON: ${usdt.available} available, 0 held`);
    expect(lines.at(-1)).toBe('2 live update(s)');
  }, 60_000);
});
