import DataLoader from 'dataloader';

/**
 * Per-request DataLoaders, created on first use by name. Reference resolvers use them so one `_entities`
 * call costs one query per entity type, however many representations it carries.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  get<V>(name: string, batch: (keys: readonly string[]) => Promise<(V | null)[]>): DataLoader<string, V | null> {
    let loader = this.loaders.get(name);
    if (!loader) {
      loader = new DataLoader<string, unknown>((keys) => batch(keys), { maxBatchSize: 500 });
      this.loaders.set(name, loader);
    }
    return loader as DataLoader<string, V | null>;
  }
}

/** Orders rows to match keys (missing → null), as DataLoader requires. */
export function byKeys<V>(keys: readonly string[], rows: V[], keyOf: (row: V) => string): (V | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row] as const));
  return keys.map((key) => map.get(key) ?? null);
}
