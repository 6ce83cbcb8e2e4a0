import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { IMPORT_ROOT_USAGE, parseImportRootArgs, parseRotateKeyArgs, UsageError } from './custody.args.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const LEGAL = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let env: TestEnv;

/** Runs a command as an operator does: `npm run -s <script>`, or the script straight through tsx to save npm's start-up. */
function run(
  script: 'import-root' | 'rotate-key',
  args: string[],
  { keys = `k1:${K1}`, stdin = '', viaNpm = false } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const environment: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
      LOG_LEVEL: 'trace',
      DATABASE_URL: env.config.database.url,
      WALLET_MASTER_KEYS: keys,
    };
    const [command, argv] = viaNpm
      ? ['npm', ['run', '-s', `wallet:${script}`, '--', ...args]]
      : [TSX, [fileURLToPath(new URL(`./${script}.ts`, import.meta.url)), ...args]];
    const child = spawn(command, argv, { cwd: ROOT, env: environment, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function lines(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Nothing a command prints (stdout, or its trace-level log on stderr) holds a phrase or a key. */
function expectNoSecrets(r: Run): void {
  const printed = r.stdout + r.stderr;
  for (const secret of [
    'abandon abandon',
    'legal winner',
    'winner thank',
    K1,
    K2,
    Buffer.from(K1, 'base64').toString('hex'),
    Buffer.from(K2, 'base64').toString('hex'),
  ]) {
    expect(printed).not.toContain(secret);
  }
}

beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.cleanup();
});

describe('argument parsing', () => {
  it('import-root: --replace with --confirm <root id>, nothing else', () => {
    expect(parseImportRootArgs([])).toEqual({ replace: false, confirm: null });
    expect(parseImportRootArgs(['--replace', '--confirm', 'hdr_01jd0000000000000000000000'])).toEqual({
      replace: true,
      confirm: 'hdr_01jd0000000000000000000000',
    });
    expect(parseImportRootArgs(['--replace'])).toEqual({ replace: true, confirm: null });
    for (const bad of [
      ['--confirm', 'hdr_01jd0000000000000000000000'],
      ['--replace', '--replace'],
      ['--replace=yes'],
      ['--confirm', 'x', '--replace'],
      ['--force'],
      ['abandon'],
    ]) {
      expect(() => parseImportRootArgs(bad), bad.join(' ')).toThrow(UsageError);
    }
  });

  it('rotate-key: an optional --to <key id>', () => {
    expect(parseRotateKeyArgs([])).toEqual({ to: null });
    expect(parseRotateKeyArgs(['--to=k2'])).toEqual({ to: 'k2' });
    for (const bad of [['--to'], ['--to', 'a b'], ['--from', 'k1']])
      expect(() => parseRotateKeyArgs(bad)).toThrow(UsageError);
  });
});

describe('npm run wallet:import-root and wallet:rotate-key', () => {
  // Phases run in order; the runs inside a phase are independent and run in parallel (each is a process start).
  let activeId: string;

  it('imports a phrase from stdin on an empty database', async () => {
    const first = await run('import-root', [], { stdin: `${ABOUT}\n`, viaNpm: true });
    expect(first.code).toBe(0);
    const [result] = lines(first.stdout);
    expect(result).toMatchObject({ outcome: 'IMPORTED', wordCount: 12, retiredRootId: null });
    expect(Object.keys(result!)).toEqual(['outcome', 'rootId', 'fingerprint', 'wordCount', 'retiredRootId']);
    expectNoSecrets(first);
    activeId = String(result!.rootId);
  });

  it('is a no-op when re-run; refuses with exit 2 (usage, invalid phrase, another root without --replace --confirm); exit 1 on a wrong key', async () => {
    const [again, usage, invalid, exists, wrongConfirm, empty, wrongKey] = await Promise.all([
      run('import-root', [], { stdin: ABOUT }),
      run('import-root', ['--confirm', 'hdr_01jd0000000000000000000000']),
      run('import-root', [], { stdin: ABOUT.replace('about', 'abandon') }),
      run('import-root', [], { stdin: LEGAL }),
      run('import-root', ['--replace', '--confirm', 'hdr_01jd0000000000000000000000'], { stdin: LEGAL }),
      run('import-root', [], { stdin: '  \n' }),
      run('import-root', [], { stdin: LEGAL, keys: `k1:${K2}` }),
    ]);
    expect(again.code).toBe(0);
    expect(lines(again.stdout)[0]).toMatchObject({ outcome: 'ALREADY_ACTIVE', rootId: activeId });

    expect([usage.code, usage.stdout]).toEqual([2, '']);
    expect(usage.stderr).toContain(IMPORT_ROOT_USAGE.split('\n')[0]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('not a valid English BIP39 phrase');
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain(`custody root ${activeId} (fingerprint `);
    expect(exists.stderr).toMatch(/0 wallet\(s\) derived from it\) is active; .* --replace --confirm hdr_/);
    expect(wrongConfirm.code).toBe(2);
    expect(wrongConfirm.stderr).toContain(`does not name the active root (${activeId})`);
    expect(empty.code).toBe(2);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain(
      `WALLET_MASTER_KEYS does not match the key that sealed custody root ${activeId} (master key id "k1")`,
    );
    for (const r of [again, usage, invalid, exists, wrongConfirm, empty, wrongKey]) {
      expect(r.stdout.includes('IMPORTED') || r.stdout.includes('REPLACED')).toBe(false);
      expectNoSecrets(r);
    }
  });

  it('--replace --confirm <active root> retires it and activates the phrase', async () => {
    const replaced = await run('import-root', ['--replace', '--confirm', activeId], { stdin: LEGAL });
    expect(replaced.code).toBe(0);
    expect(lines(replaced.stdout)[0]).toMatchObject({ outcome: 'REPLACED', retiredRootId: activeId });
    expectNoSecrets(replaced);
  });

  it('rotate-key re-wraps every root under the new key', async () => {
    const rotated = await run('rotate-key', [], { keys: `k1:${K1},k2:${K2}`, viaNpm: true });
    expect(rotated.code).toBe(0);
    const out = lines(rotated.stdout);
    expect(out.slice(0, -1).map((l) => [l.from, l.to, l.outcome])).toEqual([
      ['k1', 'k2', 'REWRAPPED'],
      ['k1', 'k2', 'REWRAPPED'],
    ]);
    expect(out.at(-1)).toEqual({ target: 'k2', rewrapped: 2, alreadyCurrent: 0, keyIdsInUse: ['k2'] });
    expectNoSecrets(rotated);
  });

  it('re-run reports every root current; an unknown target or a missing key fails with exit 1', async () => {
    const [again, missing, oldOnly] = await Promise.all([
      run('rotate-key', ['--to', 'k2'], { keys: `k2:${K2}` }),
      run('rotate-key', ['--to', 'k3'], { keys: `k2:${K2}` }),
      run('rotate-key', [], { keys: `k1:${K1}` }),
    ]);
    expect(again.code).toBe(0);
    expect(lines(again.stdout).at(-1)).toEqual({ target: 'k2', rewrapped: 0, alreadyCurrent: 2, keyIdsInUse: ['k2'] });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('rotation target is not in WALLET_MASTER_KEYS');
    expect(oldOnly.code).toBe(1);
    expect(oldOnly.stderr).toMatch(/WALLET_MASTER_KEYS has no key "k2", which sealed custody root/);
    for (const r of [again, missing, oldOnly]) expectNoSecrets(r);
  });
});
