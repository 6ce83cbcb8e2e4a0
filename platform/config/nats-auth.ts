import { existsSync } from 'node:fs';

/** How a process proves who it is to NATS (see platform/bus/permissions.ts for what each user may do). */
export type NatsAuth =
  /** NATS_USER + NATS_PASSWORD: the user named in the server's authorization block. */
  | { kind: 'password'; user: string; password: string }
  /** NATS_CREDS: a .creds file (JWT + nkey seed) for servers run in operator mode; NATS_USER names the service. */
  | { kind: 'creds'; user: string | null; credsFile: string }
  /**
   * No credentials configured outside production: each connection logs in as its own service with the
   * dev-only password the dev/test nats-server is generated with (devnet/nats).
   */
  | { kind: 'dev' }
  /** Production without credentials: connects anonymously (only an unauthenticated server accepts it). */
  | { kind: 'none' };

export interface NatsAuthEnv {
  NODE_ENV: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_CREDS?: string;
}

export function buildNatsAuth(e: NatsAuthEnv, problems: string[]): NatsAuth {
  if (e.NATS_CREDS) {
    if (e.NATS_PASSWORD) problems.push('NATS_PASSWORD: set NATS_CREDS or NATS_PASSWORD, not both');
    if (!existsSync(e.NATS_CREDS)) problems.push(`NATS_CREDS: no file at ${e.NATS_CREDS}`);
    return { kind: 'creds', user: e.NATS_USER ?? null, credsFile: e.NATS_CREDS };
  }
  if (e.NATS_USER || e.NATS_PASSWORD) {
    if (!e.NATS_USER || !e.NATS_PASSWORD) problems.push('NATS_USER/NATS_PASSWORD: set both (or NATS_CREDS)');
    return { kind: 'password', user: e.NATS_USER ?? '', password: e.NATS_PASSWORD ?? '' };
  }
  return e.NODE_ENV === 'production' ? { kind: 'none' } : { kind: 'dev' };
}
