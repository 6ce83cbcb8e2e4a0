import { createHash, randomBytes } from 'node:crypto';

/**
 * The proof-of-reserves tree: a Merkle **sum** tree over (user hash, balance), one per asset and snapshot.
 * Every node carries a hash and the sum of the balances below it, so the root commits to the total liabilities
 * and a user who checks their path also checks that no sibling sum is negative or hidden. Byte layout (the
 * README's "Proof of reserves" section is the reference for verifiers):
 *
 *   userHash = SHA-256( UTF-8("por:v1:" + userId + ":" + nonceHex) )          nonceHex: 32 lower-case hex chars
 *   leaf     = SHA-256( 0x00 ‖ userHash ‖ u256(balance) )                       balance in the asset's minor unit
 *   node     = SHA-256( 0x01 ‖ left.hash ‖ u256(left.sum) ‖ right.hash ‖ u256(right.sum) ), sum = left + right
 *
 * u256 = 32-byte unsigned big-endian. Leaves are ordered by userHash (ascending hex), so the order reveals
 * nothing. A level with an odd count carries its last node up unchanged (no duplication: duplicating the last
 * node lets two different trees share a root).
 */

export const USER_HASH_PREFIX = 'por:v1:';
const MAX_U256 = (1n << 256n) - 1n;

export interface SumNode {
  hash: Buffer;
  sum: bigint;
}

export interface ProofStep {
  /** Where the sibling sits relative to the running node. */
  side: 'LEFT' | 'RIGHT';
  hash: Buffer;
  sum: bigint;
}

export function u256(value: bigint): Buffer {
  if (value < 0n || value > MAX_U256) throw new RangeError(`${value} does not fit an unsigned 256-bit integer`);
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

export function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
}

/** A fresh per-leaf nonce: without it anyone could test a guessed user id against the published leaves. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function userHash(userId: string, nonceHex: string): Buffer {
  return sha256(Buffer.from(`${USER_HASH_PREFIX}${userId}:${nonceHex}`, 'utf8'));
}

export function leafNode(userHashBytes: Buffer, balance: bigint): SumNode {
  return { hash: sha256(Buffer.from([0]), userHashBytes, u256(balance)), sum: balance };
}

export function parentNode(left: SumNode, right: SumNode): SumNode {
  return {
    hash: sha256(Buffer.from([1]), left.hash, u256(left.sum), right.hash, u256(right.sum)),
    sum: left.sum + right.sum,
  };
}

/** Every level of the tree, leaves first, root level (one node) last. An empty tree has no levels. */
export function buildLevels(leaves: readonly SumNode[]): SumNode[][] {
  if (!leaves.length) return [];
  const levels: SumNode[][] = [leaves.slice()];
  let current = levels[0]!;
  while (current.length > 1) {
    const next: SumNode[] = [];
    for (let i = 0; i < current.length; i += 2) {
      const right = current[i + 1];
      next.push(right ? parentNode(current[i]!, right) : current[i]!);
    }
    levels.push(next);
    current = next;
  }
  return levels;
}

/** How many nodes each level holds, leaves first, for a tree of `leafCount` leaves. */
export function levelCounts(leafCount: number): number[] {
  if (leafCount <= 0) return [];
  const counts = [leafCount];
  while (counts[counts.length - 1]! > 1) counts.push(Math.ceil(counts[counts.length - 1]! / 2));
  return counts;
}

/** The (level, position) of every sibling on the way from leaf `index` to the root (carried levels skipped). */
export function siblingPositions(leafCount: number, index: number): { level: number; position: number }[] {
  const counts = levelCounts(leafCount);
  const out: { level: number; position: number }[] = [];
  let i = index;
  for (let level = 0; level < counts.length - 1; level++) {
    const sibling = i ^ 1;
    if (sibling < counts[level]!) out.push({ level, position: sibling });
    i >>= 1;
  }
  return out;
}

/** The path for leaf `index` from the stored levels (what the service reads back from ledger.reserve_node). */
export function proofOf(leafCount: number, index: number, nodeAt: (level: number, position: number) => SumNode) {
  return siblingPositions(leafCount, index).map(({ level, position }): ProofStep => {
    const node = nodeAt(level, position);
    return { side: position < ((index >> level) as number) ? 'LEFT' : 'RIGHT', hash: node.hash, sum: node.sum };
  });
}

/** Folds a leaf and its path into the root it implies. */
export function rootFromProof(leaf: SumNode, path: readonly ProofStep[]): SumNode {
  let node = leaf;
  for (const step of path) {
    const sibling = { hash: step.hash, sum: step.sum };
    node = step.side === 'LEFT' ? parentNode(sibling, node) : parentNode(node, sibling);
  }
  return node;
}
