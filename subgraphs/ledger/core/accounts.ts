import type { Network } from '../../../platform/money/assets.js';

/**
 * Ledger accounts are addresses (Formance style): the owner, the asset and, for users, the bucket.
 *   user:<userId>:<ASSET>:available   what the user can spend
 *   user:<userId>:<ASSET>:held        reserved by a hold (withdrawal in flight, open order)
 *   custody:<NETWORK>:<ASSET>         what the platform holds on chain (debited by deposits)
 *   fees:<ASSET>                      fees earned
 *   exchange:<ASSET>                  the platform's trading inventory (order fills)
 *   world:<ASSET>                     outside the platform: adjustments and other off-ledger sources
 *   receivable:<userId>:<ASSET>       what the user owes the platform (negative = debt), e.g. a reorged deposit
 *                                     they had already spent; paid back from their next deposits
 * The SQL CHECK constraints (ledger.valid_account, ledger.account_asset) enforce the same grammar.
 */
export type Bucket = 'available' | 'held';

const ACCOUNT =
  /^(user:[A-Za-z0-9_-]+:[A-Z][A-Z_]*:(available|held)|receivable:[A-Za-z0-9_-]+:[A-Z][A-Z_]*|custody:[A-Z]+:[A-Z][A-Z_]*|(fees|exchange|world):[A-Z][A-Z_]*)$/;
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const accounts = {
  user(userId: string, asset: string, bucket: Bucket): string {
    if (!USER_ID.test(userId)) throw new Error(`"${userId}" cannot be part of an account address`);
    return `user:${userId}:${asset}:${bucket}`;
  },
  available: (userId: string, asset: string) => accounts.user(userId, asset, 'available'),
  held: (userId: string, asset: string) => accounts.user(userId, asset, 'held'),
  custody: (network: Network, asset: string) => `custody:${network}:${asset}`,
  fees: (asset: string) => `fees:${asset}`,
  exchange: (asset: string) => `exchange:${asset}`,
  world: (asset: string) => `world:${asset}`,
  receivable(userId: string, asset: string): string {
    if (!USER_ID.test(userId)) throw new Error(`"${userId}" cannot be part of an account address`);
    return `receivable:${userId}:${asset}`;
  },
};

export function isValidAccount(address: string): boolean {
  return ACCOUNT.test(address);
}

/** The asset an account address holds. */
export function assetOfAccount(address: string): string {
  const parts = address.split(':');
  return (parts[0] === 'user' || parts[0] === 'custody' || parts[0] === 'receivable' ? parts[2] : parts[1]) ?? '';
}

/** The user a `user:` account belongs to, or null for system accounts. */
export function userOfAccount(address: string): string | null {
  return address.startsWith('user:') ? (address.split(':')[1] ?? null) : null;
}

export function bucketOfAccount(address: string): Bucket | null {
  if (!address.startsWith('user:')) return null;
  const bucket = address.split(':')[3];
  return bucket === 'available' || bucket === 'held' ? bucket : null;
}
