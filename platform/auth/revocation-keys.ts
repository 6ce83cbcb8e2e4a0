/** Redis keys the identity subgraph writes and the gateway reads to refuse revoked access tokens early. */
export const revokedFamilyKey = (prefix: string, familyId: string) => `${prefix}revoked-family:${familyId}`;
export const tokensInvalidBeforeKey = (prefix: string, userId: string) => `${prefix}tokens-invalid-before:${userId}`;
