/** Redis keys the identity subgraph writes and the gateway reads to refuse revoked access tokens early. */
export const revokedFamilyKey = (prefix: string, familyId: string) => `${prefix}revoked-family:${familyId}`;
export const tokensInvalidBeforeKey = (prefix: string, userId: string) => `${prefix}tokens-invalid-before:${userId}`;
/**
 * Redis pub/sub channel on which the identity subgraph announces a revocation right after writing its key,
 * so every gateway process closes the affected sockets: `{"familyId":…}` (signed out) or `{"userId":…}` (access reduced).
 */
export const revocationChannel = (prefix: string) => `${prefix}session-revocations`;
