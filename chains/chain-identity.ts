/**
 * Which chain an endpoint serves, as far as a watcher can tell: the EVM chain id (EIP-155) and the hash of the
 * chain's first block (EVM and TRON block 0, TON's masterchain zero state). Both are fixed for the life of a chain,
 * so a different answer later means the endpoint now serves another chain (a restarted devnet, a misrouted
 * load balancer, a testnet node).
 */
export interface ChainIdentity {
  /** EVM chain id as a decimal string; null where the chain has none (TRON, TON). */
  chainId: string | null;
  /** Lower-case hex; null when the node does not serve its first block (a pruned node, the TRON simulator). */
  genesis: string | null;
}

/** What configuration pins: a value is required to match; null is not checked. */
export interface ChainPin {
  chainId: string | null;
  genesis: string | null;
}

/** The endpoint serves another chain than the pinned one: never credit from it (the watcher halts and alerts). */
export class ChainIdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainIdentityError';
  }
}

/** Throws ChainIdentityError when `seen` differs from a pinned value (a pinned genesis the node does not serve differs too). */
export function assertPinned(endpoint: string, pin: ChainPin, seen: ChainIdentity): ChainIdentity {
  if (pin.chainId !== null && seen.chainId !== pin.chainId) {
    throw new ChainIdentityError(`${endpoint} serves chain id ${seen.chainId ?? 'none'}, expected ${pin.chainId}`);
  }
  if (pin.genesis !== null && seen.genesis !== pin.genesis) {
    throw new ChainIdentityError(
      `${endpoint} serves a chain whose first block is ${seen.genesis ?? 'missing'}, expected ${pin.genesis}`,
    );
  }
  return seen;
}

export function sameChain(a: ChainIdentity, b: ChainIdentity): boolean {
  return a.chainId === b.chainId && a.genesis === b.genesis;
}

export function describeIdentity(identity: ChainIdentity): string {
  return [
    identity.chainId !== null ? `chain id ${identity.chainId}` : null,
    `first block ${identity.genesis ?? 'not served'}`,
  ]
    .filter(Boolean)
    .join(', ');
}
