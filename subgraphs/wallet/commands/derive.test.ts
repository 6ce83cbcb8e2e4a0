import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hex } from '@scure/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { withPrivateKey } from '../custody/derivation.js';
import { mnemonicToSeed } from '../custody/mnemonic.js';
import { NETWORKS } from '../../../chains/network.js';
import { parseDeriveArgs, UsageError } from './derive.args.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const SCRIPT = fileURLToPath(new URL('./derive.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/**
 * Runs the command the way an operator does (`npm run -s wallet:derive -- …`), or, for the many
 * argument cases, the same script straight through tsx (what that npm script runs) to save the npm start-up.
 */
function derive(
  args: string[],
  { env = {}, stdin = '', viaNpm = false }: { env?: Record<string, string>; stdin?: string; viaNpm?: boolean } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const baseEnv = { ...process.env };
    delete baseEnv.WALLET_MNEMONIC;
    const [command, argv] = viaNpm ? ['npm', ['run', '-s', 'wallet:derive', '--', ...args]] : [TSX, [SCRIPT, ...args]];
    const child = spawn(command, argv, {
      cwd: ROOT,
      env: { ...baseEnv, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const EXPECTED = {
  ETH: { path: "m/44'/60'/0'/0/0", address: '0x9858EfFD232B4033E47d90003D41EC34EcaEda94' },
  BSC: { path: "m/44'/60'/0'/0/0", address: '0x9858EfFD232B4033E47d90003D41EC34EcaEda94' },
  TRON: { path: "m/44'/195'/0'/0/0", address: 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH' },
  TON: { path: "m/44'/607'/0'", address: 'UQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-RKY' },
} as const;

/** Strings that must never appear in anything the command prints. */
let secrets: string[];
beforeAll(async () => {
  const seed = await mnemonicToSeed(ABOUT);
  const keys = await Promise.all(
    NETWORKS.map((n) => withPrivateKey(seed, n, 0, ({ privateKey }) => hex.encode(privateKey))),
  );
  secrets = ['abandon', hex.encode(seed).slice(0, 24), ...keys.map((k) => k.slice(0, 24))];
});

function expectNoSecrets(run: Run): void {
  const printed = (run.stdout + run.stderr).toLowerCase();
  for (const secret of secrets) expect(printed).not.toContain(secret);
}

describe('npm run wallet:derive', () => {
  it('prints exactly one JSON line with the known address for each network (mnemonic from env)', async () => {
    const runs = await Promise.all(
      NETWORKS.map((network) =>
        derive(['--network', network, '--index', '0'], { env: { WALLET_MNEMONIC: ABOUT }, viaNpm: true }),
      ),
    );
    NETWORKS.forEach((network, i) => {
      const run = runs[i]!;
      expect(run.code).toBe(0);
      const lines = run.stdout.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toEqual({ network, index: 0, ...EXPECTED[network] });
      expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['network', 'index', 'path', 'address']);
      expectNoSecrets(run);
    });
  });

  it('reads the mnemonic from stdin and accepts --flag=value and a lower-case network', async () => {
    const run = await derive(['--network=ton', '--index=5'], { stdin: `${ABOUT}\n`, viaNpm: true });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { network: string; index: number; path: string; address: string };
    expect(out).toMatchObject({ network: 'TON', index: 5, path: "m/44'/607'/5'" });
    expect(out.address).toMatch(/^UQ[A-Za-z0-9_-]{46}$/u);
    expectNoSecrets(run);
  });

  it.each<[string[], RegExp]>([
    [['--network', 'DOGE', '--index', '0'], /unknown network/u],
    [['--network', 'ETH'], /--index is required/u],
    [['--index', '0'], /--network is required/u],
    [['--network', 'ETH', '--index', '-1'], /--index must be/u],
    [['--network', 'ETH', '--index', '2147483648'], /--index must be/u],
    [['--network', 'ETH', '--index', '1.5'], /--index must be/u],
    [['--network', 'ETH', '--index', '0', '--verbose'], /unknown argument/u],
    [['--network', 'ETH', '--network', 'TON', '--index', '0'], /given twice/u],
    [['--network', '--index', '0'], /--network needs a value/u],
  ])('parser refuses %j', (args, message) => {
    expect(() => parseDeriveArgs(args)).toThrow(UsageError);
    expect(() => parseDeriveArgs(args)).toThrow(message);
  });

  it('parser accepts both spellings and any case of the network', () => {
    expect(parseDeriveArgs(['--network', 'bsc', '--index', '2147483647'])).toEqual({
      network: 'BSC',
      index: 2147483647,
    });
    expect(parseDeriveArgs(['--index=0', '--network=TRON'])).toEqual({ network: 'TRON', index: 0 });
  });

  it('bad arguments → exit 2 with the message and usage on stderr, nothing on stdout', async () => {
    const runs = await Promise.all([
      derive(['--network', 'DOGE', '--index', '0'], { env: { WALLET_MNEMONIC: ABOUT } }),
      derive(['--network', 'ETH', '--index', '-1'], { env: { WALLET_MNEMONIC: ABOUT } }),
    ]);
    for (const [i, run] of runs.entries()) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(i === 0 ? /unknown network "DOGE"/u : /--index must be/u);
      expect(run.stderr).toMatch(/usage:/u);
      expectNoSecrets(run);
    }
  });

  it('an invalid or missing mnemonic → exit 2, without echoing it', async () => {
    const [wrong, missing] = await Promise.all([
      derive(['--network', 'ETH', '--index', '0'], { env: { WALLET_MNEMONIC: ABOUT.replace(/about$/u, 'abandon') } }),
      derive(['--network', 'ETH', '--index', '0']),
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/not a valid English BIP39 phrase/u);
    expectNoSecrets(wrong);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no mnemonic/u);
  });
});
