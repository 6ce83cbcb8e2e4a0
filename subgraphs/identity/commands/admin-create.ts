import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { adminCreateProcess, loadOrExit } from '../../../platform/config/config.js';
import { ensureDatabase } from '../../../platform/db/database.js';
import { migrateSubgraph, openSubgraphDatabase } from '../../../platform/db/orm.js';
import { DomainError } from '../../../platform/errors.js';
import { createLogger } from '../../../platform/logger.js';
import { isRole, type Role } from '../../../platform/auth/viewer.js';
import { createAdminAccount } from '../admin/admin.create.js';
import { identitySubgraph } from '../app.js';

/**
 * npm run admin:create -- --email root@example.com [--role SUPERADMIN]
 * Creates a staff account. The password is read from stdin (one line, or typed without echo on a
 * terminal) so it never lands in shell history or the process list.
 */
function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run admin:create -- --email <email> [--role SUPERADMIN|ADMIN|FINANCE|COMPLIANCE|SUPPORT] < password-file\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): { email: string; role: Role } {
  let email: string | null = null;
  let role: Role = 'SUPERADMIN';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--email') email = argv[++i] ?? usage('--email needs a value');
    else if (arg === '--role') {
      const value = argv[++i] ?? usage('--role needs a value');
      if (!isRole(value) || value === 'USER') usage(`unknown staff role ${value}`);
      role = value;
    } else usage(`unknown argument ${arg}`);
  }
  if (!email) usage('--email is required');
  return { email, role };
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write('Password (input hidden): ');
    const rl = createInterface({ input: process.stdin, output: undefined, terminal: true });
    (process.stdin as NodeJS.ReadStream).setRawMode?.(true);
    const line = await new Promise<string>((resolve) => rl.once('line', resolve));
    rl.close();
    process.stderr.write('\n');
    return line;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

const { email, role } = parseArgs(process.argv.slice(2));
const password = await readPassword();
const config = loadOrExit(adminCreateProcess);
const log = createLogger({ name: 'admin-create', level: config.logLevel === 'info' ? 'warn' : config.logLevel });
await ensureDatabase(config.database.url);
const orm = await openSubgraphDatabase({
  schema: 'identity',
  url: config.database.url,
  poolMax: 2,
  entities: identitySubgraph.entities,
  migrations: identitySubgraph.migrations,
  log,
});
try {
  await migrateSubgraph(orm, 'identity');
  const roles: Role[] = role === 'SUPERADMIN' ? ['USER', 'SUPERADMIN'] : ['USER', role];
  const user = await createAdminAccount(orm.em.fork(), { email, password, roles });
  process.stdout.write(`${JSON.stringify({ id: user.id, email: email.trim().toLowerCase(), roles })}\n`);
  process.exitCode = 0;
} catch (err) {
  if (err instanceof DomainError) {
    process.stderr.write(`admin:create: ${err.message}\n`);
    process.exitCode = 1;
  } else throw err;
} finally {
  await orm.close(true);
}
