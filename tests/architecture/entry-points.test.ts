import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { devnetLeaks, isDevnetOnly, reachableFrom } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Production entry points: every process main (gateway, subgraphs, workers) and every npm script that is a
 * production command (start:*, migrate, admin:*, wallet:*), except the devnet's own entries.
 */
function productionEntries(): string[] {
  const mainsUnder = (dir: string) =>
    readdirSync(join(ROOT, dir))
      .map((name) => `${dir}/${name}/main.ts`)
      .filter((file) => existsSync(join(ROOT, file)));
  const mains = ['gateway/main.ts', ...mainsUnder('subgraphs'), ...mainsUnder('workers'), ...mainsUnder('clients')];
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const commands = Object.entries(scripts)
    .filter(([name]) => /^(start:|admin:|wallet:|migrate$)/u.test(name))
    .map(([, command]) => /^tsx (\S+\.ts)$/u.exec(command)?.[1])
    .filter((file): file is string => file !== undefined && !isDevnetOnly(file));
  return [...new Set([...mains, ...commands])].sort();
}

describe('production entry points', () => {
  const entries = productionEntries();

  it('are found: the gateway, each subgraph and worker main, and the production commands', () => {
    for (const expected of [
      'gateway/main.ts',
      'subgraphs/wallet/main.ts',
      'subgraphs/market/main.ts',
      'workers/chain-watchers/main.ts',
      'workers/price-feed/main.ts',
      'workers/outbox-relay/main.ts',
      'subgraphs/identity/commands/admin-create.ts',
      'subgraphs/wallet/commands/derive.ts',
      'scripts/migrate.ts',
    ]) {
      expect(entries).toContain(expected);
    }
    expect(entries.filter(isDevnetOnly)).toEqual([]);
  });

  it('of processes load the tracing bootstrap first (it patches pg, ioredis and graphql before they load)', () => {
    const mains = entries.filter((file) => file.endsWith('/main.ts'));
    expect(mains).toEqual(expect.arrayContaining(['workers/notifier/main.ts', 'clients/bot/main.ts']));
    const late = mains.filter((file) => {
      const firstImport = readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .find((line) => line.startsWith('import '));
      return !/^import '(\.\.\/)+platform\/telemetry\/register\.js';/u.test(firstImport ?? '');
    });
    expect(late).toEqual([]);
  });

  it('load nothing under devnet/ and no *.simulator.ts', () => {
    expect(devnetLeaks(ROOT, entries).map((chain) => chain.join(' → '))).toEqual([]);
  });

  it('do load the clients the simulators stand in for (the walk follows .js specifiers to .ts files)', () => {
    const reached = reachableFrom(ROOT, ['workers/chain-watchers/main.ts']);
    expect(reached.has('providers/toncenter/toncenter.client.ts')).toBe(true);
    expect(reached.has('providers/trongrid/trongrid.client.ts')).toBe(true);
    expect(reached.has('chains/address.ts')).toBe(true);
  });
});

describe('the import walk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'entry-points-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  it('reports a devnet module or simulator reached through any kind of import, with the chain that reaches it', () => {
    write(
      'app/main.ts',
      `import { a } from './lib/a.js';\nexport * from './lib/re-export.js';\nvoid import('./lib/lazy.js');\n`,
    );
    write('app/lib/a.ts', `import type { T } from '../../devnet/types.js';\nexport const a = 1;\n`);
    write('app/lib/re-export.ts', `export { fake } from '../../providers/x/x.simulator.js';\n`);
    write('app/lib/lazy.ts', `import '../../devnet/chain/index.js';\n`);
    write('devnet/types.ts', `export type T = 1;\n`);
    write('devnet/chain/index.ts', `export {};\n`);
    write('providers/x/x.simulator.ts', `export const fake = 1;\n`);
    write('providers/x/x.client.ts', `export const client = 1;\n`);
    const leaks = devnetLeaks(dir, ['app/main.ts']).map((chain) => chain.join(' → '));
    expect(leaks.sort()).toEqual([
      'app/main.ts → app/lib/a.ts → devnet/types.ts',
      'app/main.ts → app/lib/lazy.ts → devnet/chain/index.ts',
      'app/main.ts → app/lib/re-export.ts → providers/x/x.simulator.ts',
    ]);
  });

  it('reports nothing for an entry that imports only clients', () => {
    write(
      'clean/main.ts',
      `import { client } from '../providers/x/x.client.js';\nimport 'node:fs';\nimport pino from 'pino';\n`,
    );
    expect(devnetLeaks(dir, ['clean/main.ts'])).toEqual([]);
    expect([...reachableFrom(dir, ['clean/main.ts']).keys()]).toEqual(['clean/main.ts', 'providers/x/x.client.ts']);
  });
});
