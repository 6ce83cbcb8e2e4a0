import { cloneState, digest, type McBlock, type SimTx, type State, type TraceInput } from './state.js';

/**
 * Block sealing and reorgs of the emulated TON chain: masterchain blocks (one basechain shard block each) with
 * their transactions and the inputs that made them (so a reorg can replay them), and a snapshot of the accounts
 * after each block, kept `maxReorgDepth` deep.
 */
export class TonBlocks {
  readonly #blocks: McBlock[] = [];
  readonly #snapshots = new Map<number, State>();

  constructor(
    readonly startSeqno: number,
    readonly maxReorgDepth: number,
  ) {}

  get head(): McBlock {
    return this.#blocks[this.#blocks.length - 1]!;
  }

  get first(): McBlock {
    return this.#blocks[0]!;
  }

  get all(): readonly McBlock[] {
    return this.#blocks;
  }

  at(seqno: number): McBlock | null {
    return this.#blocks[seqno - this.startSeqno] ?? null;
  }

  /** Records `state` as the head's (genesis allocations and new masters change it between blocks). */
  snapshotHead(state: State): void {
    this.#snapshots.set(this.head.seqno, cloneState(state));
  }

  /**
   * Seals `txs` (executed since the last block) into block `seqno` at `clock` (unix seconds, never before the
   * previous block) and snapshots `state`. `lt` is the chain's logical time; returns the block and the logical
   * time after it.
   */
  seal(
    seqno: number,
    args: { clock: number; lt: bigint; generation: number; txs: SimTx[]; inputs: TraceInput[]; state: State },
  ): { block: McBlock; lt: bigint } {
    const { txs, inputs } = args;
    const prev = this.#blocks[this.#blocks.length - 1];
    const genUtime = Math.max(args.clock, prev?.genUtime ?? 0);
    const startLt = prev ? prev.endLt + 1n : args.lt;
    const endLt = txs.length > 0 ? txs.reduce((m, t) => (t.lt > m ? t.lt : m), startLt) + 1n : startLt + 1n;
    const lt = args.lt < endLt ? endLt : args.lt;
    const salt = `${seqno}:${args.generation}:${genUtime}:${txs.map((t) => t.hash).join(',')}:${prev?.rootHash ?? ''}`;
    const shardSeqno = seqno + 7_000_000;
    const block: McBlock = {
      seqno,
      rootHash: digest(`mc-root:${salt}`),
      fileHash: digest(`mc-file:${salt}`),
      shardSeqno,
      shardRootHash: digest(`shard-root:${salt}`),
      shardFileHash: digest(`shard-file:${salt}`),
      genUtime,
      startLt,
      endLt,
      txs,
      inputs,
    };
    for (const tx of txs) {
      tx.mcSeqno = seqno;
      tx.shardSeqno = shardSeqno;
      tx.now = genUtime;
    }
    this.#blocks.push(block);
    this.#snapshots.set(seqno, cloneState(args.state));
    this.#snapshots.delete(seqno - this.maxReorgDepth - 1);
    return { block, lt };
  }

  /** Removes the last `depth` blocks: returns them and (a copy of) the accounts as of the new head. */
  cut(depth: number): { removed: McBlock[]; state: State } {
    if (!Number.isSafeInteger(depth) || depth < 1) throw new RangeError('depth must be a positive integer');
    if (depth > this.maxReorgDepth || depth >= this.#blocks.length) {
      throw new RangeError(
        `depth ${depth} exceeds the chain (${this.#blocks.length - 1} blocks after the first, max ${this.maxReorgDepth})`,
      );
    }
    const removed = this.#blocks.splice(this.#blocks.length - depth, depth);
    const state = cloneState(this.#snapshots.get(this.head.seqno)!);
    for (const block of removed) this.#snapshots.delete(block.seqno);
    return { removed, state };
  }
}
