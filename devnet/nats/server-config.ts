import { natsUsers, permissionsFor } from '../../platform/bus/permissions.js';

/**
 * Renders a nats-server configuration (the 2.9 syntax Debian ships) whose authorization block is the
 * platform's per-service permissions (platform/bus/permissions.ts).
 */
export interface NatsServerConfigOptions {
  host: string;
  port: number;
  /** JetStream store directory; null leaves the line out (the compose file sets it with -sd). */
  storeDir: string | null;
  /** Concrete prefix ('' in production) or the pattern '*.' when every test file brings its own. */
  subjectPrefix: string;
  /** Concrete stream name or '*' (tests). */
  stream: string;
  /** Each user's password as it appears in the file: a quoted literal, or an unquoted `$VARIABLE`. */
  password(user: string): string;
  /**
   * A user with every permission that clients connecting without credentials become. Only the test
   * server has one (the test files' own probes and cleanup); dev and production have none.
   */
  harnessUser?: { name: string; password: string };
  /** HTTP monitoring port (0 = off). */
  monitorPort?: number;
  /** The users to include (default: every user of permissions.ts). */
  users?: string[];
}

/** A quoted string in nats-server's configuration syntax. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

export function renderNatsServerConfig(options: NatsServerConfigOptions): string {
  const lines: string[] = [
    '# Generated from platform/bus/permissions.ts (devnet/nats/server-config.ts): one user per service.',
    `listen: ${quote(`${options.host}:${options.port}`)}`,
  ];
  if (options.monitorPort) lines.push(`http: ${quote(`${options.host}:${options.monitorPort}`)}`);
  lines.push(options.storeDir === null ? 'jetstream: enabled' : `jetstream { store_dir: ${quote(options.storeDir)} }`);
  lines.push('authorization {', '  users = [');
  for (const user of options.users ?? natsUsers()) {
    const perms = permissionsFor(user, options.subjectPrefix, options.stream);
    const publish =
      'allow' in perms.publish ? `allow: ${list(perms.publish.allow)}` : `deny: ${list(perms.publish.deny)}`;
    lines.push(
      `    { user: ${quote(user)}, password: ${options.password(user)}, permissions: {`,
      `        publish: { ${publish} }`,
      `        subscribe: { allow: ${list(perms.subscribe.allow)} }`,
      '    } }',
    );
  }
  if (options.harnessUser)
    lines.push(`    { user: ${quote(options.harnessUser.name)}, password: ${quote(options.harnessUser.password)} }`);
  lines.push('  ]', '}');
  if (options.harnessUser) lines.push(`no_auth_user: ${quote(options.harnessUser.name)}`);
  return `${lines.join('\n')}\n`;
}

function list(subjects: readonly string[]): string {
  return `[${subjects.map(quote).join(', ')}]`;
}

/** The environment variable that holds a user's password in the compose configuration. */
export function passwordVariable(user: string): string {
  return `NATS_PASSWORD_${user.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
