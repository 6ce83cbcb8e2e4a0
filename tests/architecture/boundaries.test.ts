import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `npm run lint` checks the real tree. This proves the rule itself bites: a small tree laid out like the project,
// with deliberate wrong imports, is cruised with the project's own .dependency-cruiser.cjs.
const root = resolve(import.meta.dirname, '../..');
const probe = mkdtempSync(join(tmpdir(), 'boundaries-'));
afterAll(() => rmSync(probe, { recursive: true, force: true }));

function write(path: string, source: string): void {
  mkdirSync(dirname(join(probe, path)), { recursive: true });
  writeFileSync(join(probe, path), source);
}

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function violations(): Violation[] {
  const bin = join(root, 'node_modules/.bin/depcruise');
  const args = [
    '--config',
    join(root, '.dependency-cruiser.cjs'),
    '--output-type',
    'json',
    'platform',
    'chains',
    'providers',
    'subgraphs',
    'gateway',
    'workers',
    'clients',
    'devnet',
  ];
  let out: string;
  try {
    out = execFileSync(bin, args, { cwd: probe, encoding: 'utf8' });
  } catch (error) {
    out = (error as { stdout: string }).stdout; // exits non-zero when it finds violations
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('import directions (dependency-cruiser)', () => {
  write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }));
  write('platform/base.ts', 'export const base = 1;\n');
  write('chains/network.ts', "import { base } from '../platform/base.js';\nexport const network = base;\n");
  write(
    'providers/rpc/client.ts',
    "import { network } from '../../chains/network.js';\nexport const client = network;\n",
  );
  write(
    'subgraphs/wallet/deposit.ts',
    "import { client } from '../../providers/rpc/client.js';\nexport const deposit = client;\n",
  );
  write('subgraphs/wallet/port.ts', "import { deposit } from './deposit.js';\nexport const port = deposit;\n");
  write('workers/watcher.ts', "import { port } from '../subgraphs/wallet/port.js';\nexport const watcher = port;\n");
  write('gateway/server.ts', "import { base } from '../platform/base.js';\nexport const server = base;\n");
  write('devnet/chain.simulator.ts', 'export const sim = 1;\n');
  write(
    'clients/bot/bot.ts',
    "import { client } from '../../providers/rpc/client.js';\nimport { base } from '../../platform/base.js';\nexport const bot = [client, base];\n",
  );
  write(
    'devnet/uses-anything.ts',
    "import { deposit } from '../subgraphs/wallet/deposit.js';\nexport const any = deposit;\n",
  );
  write(
    'subgraphs/wallet/deposit.test.ts',
    "import { sim } from '../../devnet/chain.simulator.js';\nexport const t = sim;\n",
  );

  it('accepts imports that follow the layers (tests and devnet may import anything)', () => {
    expect(violations()).toEqual([]);
  });

  it('refuses a client importing the gateway or a subgraph, a provider importing a subgraph, a worker reaching past a port, the gateway or platform reaching up, production importing devnet, one subgraph importing another', () => {
    write(
      'providers/rpc/evil.ts',
      "import { deposit } from '../../subgraphs/wallet/deposit.js';\nexport const evil = deposit;\n",
    );
    write(
      'workers/evil.ts',
      "import { deposit } from '../subgraphs/wallet/deposit.js';\nexport const evil = deposit;\n",
    );
    write('gateway/evil.ts', "import { port } from '../subgraphs/wallet/port.js';\nexport const evil = port;\n");
    write('platform/evil.ts', "import { network } from '../chains/network.js';\nexport const evil = network;\n");
    write(
      'clients/bot/evil.ts',
      "import { server } from '../../gateway/server.js';\nimport { port } from '../../subgraphs/wallet/port.js';\nexport const evil = [server, port];\n",
    );
    write(
      'subgraphs/ledger/evil.ts',
      "import { sim } from '../../devnet/chain.simulator.js';\nimport { deposit } from '../wallet/deposit.js';\nexport const evil = [sim, deposit];\n",
    );
    const found = violations()
      .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
      .sort();
    expect(found).toEqual([
      'clients-through-the-gateway: clients/bot/evil.ts → gateway/server.ts',
      'clients-through-the-gateway: clients/bot/evil.ts → subgraphs/wallet/port.ts',
      'gateway-on-platform-only: gateway/evil.ts → subgraphs/wallet/port.ts',
      'no-devnet-in-production: subgraphs/ledger/evil.ts → devnet/chain.simulator.ts',
      'platform-is-the-bottom: platform/evil.ts → chains/network.ts',
      'providers-below-subgraphs: providers/rpc/evil.ts → subgraphs/wallet/deposit.ts',
      'subgraphs-below-edges: subgraphs/ledger/evil.ts → devnet/chain.simulator.ts',
      'subgraphs-own-their-code: subgraphs/ledger/evil.ts → subgraphs/wallet/deposit.ts',
      'workers-use-ports-only: workers/evil.ts → subgraphs/wallet/deposit.ts',
    ]);
  });
});
