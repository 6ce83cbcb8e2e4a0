import { allow, deny } from 'graphql-shield';
import { isAdmin, isAuthenticated, isStaffMember, isSuperadmin } from './rules.js';

/** What a graphql-shield rule (rule, and, or, not, allow, deny) offers: a resolve evaluated per field. */
export interface ShieldRule {
  resolve(parent: unknown, args: Record<string, unknown>, ctx: unknown, info: unknown, options: unknown): Promise<unknown>;
}

export type PermissionMap = Record<string, Record<string, ShieldRule>>;

/**
 * Every field a client may select, and who may select it. Anything not listed is denied (fallbackRule).
 * Object-level ownership (is this my wallet?) is checked in the subgraph services, which see the data.
 */
export const permissions: PermissionMap = {
  Query: {
    me: isAuthenticated,
    user: isStaffMember,
    users: isStaffMember,
    levelRules: allow,
    // market: public data
    assets: allow,
    asset: allow,
    prices: allow,
    price: allow,
  },
  Mutation: {
    signInWithTelegram: allow,
    refreshSession: allow,
    signInAdmin: allow,
    signOut: isAuthenticated,
    updateSettings: isAuthenticated,
    grantRole: isSuperadmin,
    revokeRole: isSuperadmin,
    grantClaim: isSuperadmin,
    revokeClaim: isSuperadmin,
    updateAsset: isAdmin,
  },
  Subscription: {
    meUpdated: isAuthenticated,
  },
  // Types reachable only through a guarded root field; their fields are open to whoever reached them.
  User: { '*': allow },
  UserSettings: { '*': allow },
  AuthPayload: { '*': allow },
  UserConnection: { '*': allow },
  UserEdge: { '*': allow },
  PageInfo: { '*': allow },
  LevelRule: { '*': allow },
  Asset: { '*': allow },
  Price: { '*': allow },
  Candle: { '*': allow },
};

export const fallbackRule: ShieldRule = deny;
