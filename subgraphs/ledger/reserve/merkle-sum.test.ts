import { describe, expect, it } from 'vitest';
import { buildLevels, leafNode, levelCounts, proofOf, rootFromProof, u256, userHash } from './merkle-sum.js';

function leaves(n: number) {
  return Array.from({ length: n }, (_, i) =>
    leafNode(userHash(`usr_${i}`, i.toString(16).padStart(32, '0')), BigInt(i * 7 + 1)),
  );
}

describe('Merkle sum tree', () => {
  it('every leaf of trees of 1..33 leaves proves to the root, and the root sums every balance', () => {
    for (let n = 1; n <= 33; n++) {
      const ls = leaves(n);
      const levels = buildLevels(ls);
      const root = levels[levels.length - 1]![0]!;
      expect(levels.map((l) => l.length)).toEqual(levelCounts(n));
      expect(root.sum).toBe(ls.reduce((s, l) => s + l.sum, 0n));
      for (let i = 0; i < n; i++) {
        const path = proofOf(n, i, (level, position) => levels[level]![position]!);
        const implied = rootFromProof(ls[i]!, path);
        expect(implied.hash.equals(root.hash)).toBe(true);
        expect(implied.sum).toBe(root.sum);
      }
    }
  });

  it('a changed balance or a wrong side no longer proves', () => {
    const ls = leaves(5);
    const levels = buildLevels(ls);
    const root = levels[levels.length - 1]![0]!;
    const path = proofOf(5, 2, (level, position) => levels[level]![position]!);
    const forged = { hash: ls[2]!.hash, sum: ls[2]!.sum + 1n };
    expect(rootFromProof(forged, path).hash.equals(root.hash)).toBe(false);
    const flipped = path.map((s, i) =>
      i === 0 ? { ...s, side: s.side === 'LEFT' ? ('RIGHT' as const) : ('LEFT' as const) } : s,
    );
    expect(rootFromProof(ls[2]!, flipped).hash.equals(root.hash)).toBe(false);
  });

  it('the last node of an odd level is carried up, not paired with itself', () => {
    const ls = leaves(3);
    const levels = buildLevels(ls);
    expect(levels[1]![1]!.hash.equals(ls[2]!.hash)).toBe(true);
    expect(proofOf(3, 2, (level, position) => levels[level]![position]!)).toHaveLength(1);
  });

  it('u256 refuses what does not fit', () => {
    expect(u256(1n).toString('hex')).toBe('0'.repeat(63) + '1');
    expect(() => u256(-1n)).toThrow(RangeError);
    expect(() => u256(1n << 256n)).toThrow(RangeError);
  });
});
