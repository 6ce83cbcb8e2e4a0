import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdk from '../../clients/sdk/index.js';
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
