import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.cleanup();
});

function run(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/identity/commands/admin-create.ts', ...args], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATABASE_URL: env.config.database.url,
        REDIS_URL: env.config.redis.url,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('admin:create', () => {
  it('creates the first SUPERADMIN with the password from stdin, and never prints it', async () => {
    const password = 'a very long bootstrap password';
    const ok = await run(['--email', 'Root@Example.com'], `${password}\n`);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ email: 'root@example.com', roles: ['USER', 'SUPERADMIN'] });
    expect(ok.stdout + ok.stderr).not.toContain(password);
    const again = await run(['--email', 'root@example.com'], `${password}\n`);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists/);
  }, 60_000);

  it('refuses a short password and bad arguments', async () => {
    expect((await run(['--email', 'x@example.com'], 'short\n')).code).toBe(1);
    expect((await run([], 'whatever-long-password\n')).code).toBe(2);
    expect((await run(['--email', 'y@example.com', '--role', 'GOD'], 'whatever-long-password\n')).code).toBe(2);
  }, 60_000);
});
