export const ROLES = ['USER', 'SUPPORT', 'FINANCE', 'COMPLIANCE', 'ADMIN', 'SUPERADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Fine-grained permissions an admin may hold on top of a role. */
export const CLAIMS = [
  'withdrawals:approve',
  'kyc:review',
  'tickets:assign',
  'vouchers:rates',
  'ledger:adjust',
  'users:read',
  'vouchers:review',
] as const;
export type Claim = (typeof CLAIMS)[number];

export const STAFF_ROLES: readonly Role[] = ['SUPPORT', 'FINANCE', 'COMPLIANCE', 'ADMIN', 'SUPERADMIN'];

/** Who is asking. Built by the gateway from the access token and handed to subgraphs, signed. */
export interface Viewer {
  userId: string | null;
  roles: Role[];
  claims: string[];
  sessionId: string | null;
}

export const ANONYMOUS: Viewer = Object.freeze({ userId: null, roles: [], claims: [], sessionId: null }) as Viewer;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function hasRole(viewer: Viewer, ...roles: Role[]): boolean {
  return viewer.roles.some((r) => roles.includes(r));
}

export function isStaff(viewer: Viewer): boolean {
  return hasRole(viewer, ...STAFF_ROLES);
}

export function hasClaim(viewer: Viewer, claim: string): boolean {
  return viewer.roles.includes('SUPERADMIN') || viewer.claims.includes(claim);
}

/**
 * A token scope, carried as a claim: a token holding one may select only the fields its scope lists (the gateway's
 * permissions/scopes.ts), whatever its roles. `scope:bot` is what identity grants the Telegram bot for one user.
 */
export const BOT_SCOPE = 'scope:bot';

export function isBotScoped(viewer: Viewer): boolean {
  return viewer.claims.includes(BOT_SCOPE);
}
