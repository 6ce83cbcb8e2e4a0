import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compose,
  currentSubgraphSdl,
  readSupergraphYaml,
  schemaFileOf,
  SUPERGRAPH_FILE,
} from '../../scripts/supergraph.js';
import { subgraphs } from '../../subgraphs/registry.js';

/** The committed SDL files are what partners and the gateway consume: they must equal what the code produces. */
describe('schema contracts', () => {
  it('every registered subgraph is in supergraph.yaml and the other way round', () => {
    expect(Object.keys(readSupergraphYaml().subgraphs).sort()).toEqual(subgraphs.map((s) => s.definition.name).sort());
  });

  it("each subgraph's SDL equals its committed schema.graphql (run `npm run compose` if not)", async () => {
    for (const [name, sdl] of await currentSubgraphSdl()) {
      expect({ name, sdl }).toEqual({ name, sdl: readFileSync(schemaFileOf(name), 'utf8') });
    }
  });

  it('composition is clean and equals the committed supergraph.graphql', async () => {
    const composed = compose(await currentSubgraphSdl());
    expect(composed).toEqual(readFileSync(SUPERGRAPH_FILE, 'utf8'));
  });
});
