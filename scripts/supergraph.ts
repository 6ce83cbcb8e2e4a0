import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { subgraphs } from '../subgraphs/registry.js';

const ROOT = new URL('../', import.meta.url);

interface SupergraphYaml {
  subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
}

export function readSupergraphYaml(): SupergraphYaml {
  return parseYaml(readFileSync(new URL('supergraph.yaml', ROOT), 'utf8')) as SupergraphYaml;
}

/** Each subgraph's SDL as its code produces it now, keyed by name. */
export async function currentSubgraphSdl(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const subgraph of subgraphs)
    out.set(subgraph.definition.name, printSubgraphSchema(await subgraph.buildSchema()));
  return out;
}

/** Composes supergraph.yaml's subgraphs from the given SDLs; throws with every composition error. */
export function compose(sdlByName: Map<string, string>): string {
  const config = readSupergraphYaml();
  const services = Object.entries(config.subgraphs).map(([name, entry]) => {
    const sdl = sdlByName.get(name);
    if (sdl === undefined) throw new Error(`supergraph.yaml names ${name}, which is not in subgraphs/registry.ts`);
    return { name, url: entry.routing_url, typeDefs: parse(sdl) };
  });
  const result = composeServices(services);
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  return result.supergraphSdl;
}

export function schemaFileOf(name: string): URL {
  const entry = readSupergraphYaml().subgraphs[name];
  if (!entry) throw new Error(`${name} is not in supergraph.yaml`);
  return new URL(entry.schema.file, ROOT);
}

export const SUPERGRAPH_FILE = new URL('supergraph.graphql', ROOT);
