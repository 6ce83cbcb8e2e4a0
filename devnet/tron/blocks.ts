import { sha256 } from '@noble/hashes/sha2.js';
import { cloneState, enc, type ChainBlock, type ChainTx, type State } from './state.js';

/** java-tron accepts reference blocks among the last 65,536. */
const TAPOS_WINDOW = 65_536;

/**
 * Block sealing and reorgs of the emulated TRON chain: blocks whose ids encode the height as TRON's do, a state
 * snapshot after each (kept `maxReorgDepth` deep), and the TAPOS lookup of reference blocks.
 */
export class TronBlocks {
  readonly #blocks: ChainBlock[] = [];
  readonly #snapshots = new Map<number, State>();

  constructor(
    readonly startHeight: number,
    readonly maxReorgDepth: number,
    readonly witness: string,
  ) {}

  get head(): ChainBlock {
    return this.#blocks[this.#blocks.length - 1]!;
  }

  get all(): readonly ChainBlock[] {
    return this.#blocks;
  }

  at(num: number): ChainBlock | null {
    return this.#blocks[num - this.startHeight] ?? null;
  }

  /** Records `state` as the head's (genesis allocations change it between blocks). */
  snapshotHead(state: State): void {
    this.#snapshots.set(this.head.number, cloneState(state));
  }

  /** Whether a transaction's reference block (low 2 bytes of the height, bytes 8..16 of the id) is a recent block of this chain. */
  hasReference(refBytes: string, refHash: string): boolean {
    const low = parseInt(refBytes, 16);
    const oldest = Math.max(0, this.#blocks.length - TAPOS_WINDOW);
    for (let i = this.#blocks.length - 1; i >= oldest; i--) {
      const block = this.#blocks[i]!;
      if ((block.number & 0xffff) === low && block.blockID.slice(16, 32) === refHash) return true;
    }
    return false;
  }

  /** Seals `txs` into block `number` on top of `parentHash` and snapshots `state`; `generation` makes a reorg's blocks differ. */
  seal(
    txs: ChainTx[],
    number: number,
    parentHash: string,
    timestamp: number,
    generation: number,
    state: State,
  ): ChainBlock {
    const txTrieRoot = enc(sha256(new TextEncoder().encode(txs.map((t) => t.txID).join(''))));
    const header = JSON.stringify({ number, parentHash, timestamp, txTrieRoot, witness: this.witness, generation });
    const digest = sha256(new TextEncoder().encode(header));
    const blockID = number.toString(16).padStart(16, '0') + enc(digest).slice(16);
    const block: ChainBlock = { number, blockID, parentHash, timestamp, witness: this.witness, txTrieRoot, txs };
    this.#blocks.push(block);
    this.#snapshots.set(number, cloneState(state));
    this.#snapshots.delete(number - this.maxReorgDepth - 1);
    return block;
  }

  /** Removes the last `depth` blocks: returns them and (a copy of) the state as of the new head. */
  cut(depth: number): { removed: ChainBlock[]; state: State } {
    if (!Number.isSafeInteger(depth) || depth < 1) throw new RangeError('depth must be a positive integer');
    if (depth > this.maxReorgDepth || depth >= this.#blocks.length) {
      throw new RangeError(
        `depth ${depth} exceeds the chain (${this.#blocks.length - 1} blocks above genesis, max ${this.maxReorgDepth})`,
      );
    }
    const removed = this.#blocks.splice(this.#blocks.length - depth, depth);
    const state = cloneState(this.#snapshots.get(this.head.number)!);
    for (const block of removed) this.#snapshots.delete(block.number);
    return { removed, state };
  }
}
