import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSdk } from '../../codegen.js';

describe('published SDK', () => {
  it('clients/sdk equals what codegen produces from the committed supergraph (run `npm run compose`)', async () => {
    const { schemaSdl, sdkSource } = await generateSdk();
    expect(schemaSdl).toEqual(readFileSync('clients/sdk/schema.graphql', 'utf8'));
    expect(sdkSource).toEqual(readFileSync('clients/sdk/index.ts', 'utf8'));
  });

  it('publishes no federation internals', () => {
    const sdl = readFileSync('clients/sdk/schema.graphql', 'utf8');
    for (const internal of ['_entities', '_service', 'join__', 'link__', '@key']) expect(sdl).not.toContain(internal);
    expect(sdl).toContain('type Subscription');
  });
});
