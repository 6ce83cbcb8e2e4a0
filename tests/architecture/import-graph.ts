import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The static import graph of TypeScript modules, as the TypeScript compiler's pre-processor reads them:
 * `import`, `export … from`, `import()` and `require()` with a string literal (type-only imports included:
 * they are a dependency on the module all the same). Only relative specifiers are followed; packages are
 * leaves. A `.js` specifier resolves to the `.ts` file beside it (how this project imports), then the
 * exact file, then `<dir>/index.ts`.
 */

/** The file a relative specifier names, or null when none exists. */
export function resolveSpecifier(fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [
    base.replace(/\.js$/u, '.ts'),
    base.replace(/\.mjs$/u, '.mts'),
    base,
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  for (const candidate of candidates) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** The relative specifiers one file imports. */
export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/**
 * Every module reachable from `entries`, each with the chain of imports that first reached it
 * (entry first), as paths relative to `root` with forward slashes.
 */
export function reachableFrom(root: string, entries: readonly string[]): Map<string, string[]> {
  const rel = (file: string) => relative(root, file).split(sep).join('/');
  const seen = new Map<string, string[]>();
  const queue: Array<{ file: string; via: string[] }> = entries.map((e) => ({ file: resolve(root, e), via: [] }));
  while (queue.length) {
    const { file, via } = queue.shift()!;
    const name = rel(file);
    if (seen.has(name)) continue;
    const path = [...via, name];
    seen.set(name, path);
    if (!/\.(ts|mts|cts)$/u.test(file)) continue;
    for (const specifier of importsOf(file)) {
      const target = resolveSpecifier(file, specifier);
      if (target && !seen.has(rel(target))) queue.push({ file: target, via: path });
    }
  }
  return seen;
}

/** What production must never load: anything under devnet/ and any `*.simulator.ts`. */
export function isDevnetOnly(path: string): boolean {
  return path.startsWith('devnet/') || /(^|\/)[^/]*\.simulator\.ts$/u.test(path);
}

/** Each devnet-only module reachable from `entries`, as the import chain that reaches it. */
export function devnetLeaks(root: string, entries: readonly string[]): string[][] {
  return [...reachableFrom(root, entries).entries()].filter(([path]) => isDevnetOnly(path)).map(([, chain]) => chain);
}
