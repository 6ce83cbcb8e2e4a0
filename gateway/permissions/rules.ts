import { rule } from 'graphql-shield';
import { hasClaim, isStaff } from '../../platform/auth/viewer.js';
import type { Role } from '../../platform/auth/viewer.js';
import type { GatewayContext } from '../context.js';

const denied = (code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string) => Object.assign(new Error(message), { code });

export const isAuthenticated = rule({ cache: 'contextual' })((_parent, _args, ctx: GatewayContext) =>
  ctx.viewer.userId ? true : denied('UNAUTHENTICATED', 'Sign in first'),
);

/** Callers without a user token: sign-in mutations that authenticate by their own argument (a credential). */
export const isSignedOut = rule({ cache: 'contextual' })((_parent, _args, ctx: GatewayContext) =>
  ctx.viewer.userId ? denied('FORBIDDEN', 'Not for a signed-in viewer') : true,
);

export const isStaffMember = rule({ cache: 'contextual' })((_parent, _args, ctx: GatewayContext) => {
  if (!ctx.viewer.userId) return denied('UNAUTHENTICATED', 'Sign in first');
  return isStaff(ctx.viewer) ? true : denied('FORBIDDEN', 'Staff only');
});

export const hasRoleRule = (...roles: Role[]) =>
  rule(`hasRole:${roles.join('|')}`, { cache: 'contextual' })((_parent, _args, ctx: GatewayContext) => {
    if (!ctx.viewer.userId) return denied('UNAUTHENTICATED', 'Sign in first');
    return ctx.viewer.roles.some((r) => roles.includes(r))
      ? true
      : denied('FORBIDDEN', `Requires role ${roles.join(' or ')}`);
  });

export const hasClaimRule = (claim: string) =>
  rule(`hasClaim:${claim}`, { cache: 'contextual' })((_parent, _args, ctx: GatewayContext) => {
    if (!ctx.viewer.userId) return denied('UNAUTHENTICATED', 'Sign in first');
    return hasClaim(ctx.viewer, claim) ? true : denied('FORBIDDEN', `Requires the ${claim} claim`);
  });

export const isSuperadmin = hasRoleRule('SUPERADMIN');
export const isAdmin = hasRoleRule('ADMIN', 'SUPERADMIN');
