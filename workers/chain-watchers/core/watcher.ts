import type { EntityManager } from '@mikro-orm/postgresql';
import { bindOnce, type Logger } from '../../../platform/logger.js';
import { ProviderError } from '../../../providers/http/http.errors.js';
import { ChainMovedError, type ChainSource, type CursorState } from '../../../chains/source.js';
import type { DepositWriter } from '../../../subgraphs/wallet/ports.js';
import type { WatcherMetrics } from './watcher.metrics.js';

export interface ChainWatcherSettings {
  pollMs: number;
  /** Blocks read per step. */
  batchBlocks: number;
  /** First block to scan when there is no cursor yet; null = the block after the chain head at that moment. */
  startHeight: bigint | null;
  /** Depth of stored block hashes (deposit ingest prunes beyond it). */
  reorgWindow: number;
  /**
   * What to do when no common ancestor is found within the reorg window (a different chain at the endpoint,
   * e.g. a restarted devnet): true = start over on the new chain (devnet), false = halt and alert (production).
   */
  allowChainReset: boolean;
  /** Consecutive head regressions after which a lower head is accepted (the node really went back). */
  acceptRegressionAfter?: number;
  /** Longest back-off after failures. */
  maxBackoffMs?: number;
}

export interface ChainWatcherOptions {
  source: ChainSource;
  ingest: DepositWriter;
  /** A fresh EntityManager fork per step. */
  em: () => EntityManager;
  settings: ChainWatcherSettings;
  log: Logger;
  metrics: WatcherMetrics;
}

export type StepResult =
  | { kind: 'idle'; head: bigint; cursor: bigint }
  | { kind: 'advanced'; head: bigint; cursor: bigint; blocks: number; transactions: number; detected: number; confirmed: number }
  | { kind: 'reorg'; fork: bigint | null; reorged: number }
  | { kind: 'raced' }
  | { kind: 'halted'; reason: string }
  | { kind: 'waiting'; reason: string };

const HASH_CHUNK = 32;

/**
 * One chain's deposit watcher. Each step: read the head; check the last ingested block is still canonical
 * (a different hash at that height is a reorg: walk back to the common ancestor and roll back); read the next
 * batch of blocks, check each links to the previous by parent hash, and ingest them in one transaction that
 * compare-and-sets the cursor (deposit.ingest.ts). Confirmations count from the linked tip, never from a
 * head a node merely claims. Any failure (timeouts, malformed answers, a head that goes backwards) is logged,
 * counted and retried with exponential back-off; nothing is written from a batch that did not check out.
 */
export class ChainWatcher {
  private stopped = true;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private regressions = 0;
  private lastSuccess = 0;
  private haltedReason: string | null = null;
  private verified = false;
  readonly network;
  /** Bound to the network once (the worker's logger usually is already). */
  private readonly log: Logger;

  constructor(private readonly options: ChainWatcherOptions) {
    this.network = options.source.network;
    this.log = bindOnce(options.log, { network: this.network });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** For health checks: when a step last completed, and why the watcher is halted (null when it is not). */
  status(): { lastSuccessAt: number; halted: string | null } {
    return { lastSuccessAt: this.lastSuccess, halted: this.haltedReason };
  }

  /** One step (tests drive it directly); a failure is counted in chain_watcher_errors_total and rethrown. */
  async step(): Promise<StepResult> {
    try {
      return await this.advance();
    } catch (err) {
      this.options.metrics.errors.inc({ network: this.network, kind: err instanceof Error ? err.name : 'unknown' });
      throw err;
    }
  }

  private async advance(): Promise<StepResult> {
    const { source, ingest, metrics, settings } = this.options;
    const labels = { network: this.network };
    const em = this.options.em();
    if (!this.verified) {
      await source.verify();
      this.verified = true;
    }
    let head: bigint;
    try {
      head = await source.head();
      this.regressions = 0;
    } catch (err) {
      if (source.isHeadRegression(err)) {
        this.regressions++;
        if (this.regressions >= (settings.acceptRegressionAfter ?? 3)) {
          this.log.warn({ times: this.regressions }, 'node head stays below the highest seen: accepting it (nothing is rolled back without a different block hash)');
          source.resetHead();
          this.regressions = 0;
        }
      }
      throw err;
    }
    metrics.head.set(labels, Number(head));

    let cursor = await ingest.cursor(em);
    if (!cursor) {
      const initialized = await this.initialize(em, head);
      if (!initialized) return { kind: 'waiting', reason: `start height ${settings.startHeight} is above the chain head ${head}` };
      cursor = initialized;
    }
    metrics.cursor.set(labels, Number(cursor.height));
    metrics.lag.set(labels, Number(head > cursor.height ? head - cursor.height : 0n));

    // Is what we ingested last still canonical? (A reorg that replaced blocks without making the chain longer.)
    const probe = head < cursor.height ? head : cursor.height;
    const stored = probe === cursor.height ? cursor.hash : (await ingest.storedHashes(em, probe, probe)).get(probe);
    if (stored !== undefined) {
      const [onChain] = await source.blockHashes([probe]);
      if (onChain && onChain.hash !== stored) return this.reorg(em, cursor, probe);
    }
    if (head <= cursor.height) {
      this.clearHalt();
      return { kind: 'idle', head, cursor: cursor.height };
    }

    const last = head < cursor.height + BigInt(settings.batchBlocks) ? head : cursor.height + BigInt(settings.batchBlocks);
    const blocks = await source.scan(cursor.height + 1n, last);
    if (blocks.length === 0) return { kind: 'idle', head, cursor: cursor.height };
    if (blocks[0]!.parentHash !== cursor.hash) return this.reorg(em, cursor, cursor.height);
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i]!;
      if (block.height !== cursor.height + BigInt(i) + 1n) throw new ChainMovedError(`expected block ${cursor.height + BigInt(i) + 1n}, got ${block.height}`);
      if (i > 0 && block.parentHash !== blocks[i - 1]!.hash) throw new ChainMovedError(`block ${block.height} does not link to the block before it: the chain moved during the scan`);
    }
    const outcome = await ingest.ingest(em, cursor, blocks);
    if (!outcome.applied) return { kind: 'raced' };
    this.clearHalt();
    const transactions = blocks.reduce((n, b) => n + b.transactions, 0);
    metrics.blocks.inc(labels, blocks.length);
    metrics.transactions.inc(labels, transactions);
    metrics.detected.inc(labels, outcome.detected.length + outcome.revived.length);
    metrics.ignored.inc(labels, outcome.ignored.length);
    metrics.confirmed.inc(labels, outcome.confirmed.length);
    metrics.cursor.set(labels, Number(outcome.tip.height));
    metrics.lag.set(labels, Number(head > outcome.tip.height ? head - outcome.tip.height : 0n));
    for (const d of [...outcome.detected, ...outcome.revived]) {
      this.log.info({ depositId: d.id, asset: d.asset, amount: d.amount, txHash: d.tx_hash, block: d.block_number }, 'deposit detected');
    }
    for (const d of outcome.ignored) {
      this.log.info({ depositId: d.id, asset: d.asset, amount: d.amount, txHash: d.tx_hash }, 'deposit below the minimum: ignored');
    }
    for (const d of outcome.confirmed) {
      this.log.info({ depositId: d.id, confirmations: d.confirmations }, 'deposit confirmed: credit requested');
    }
    return {
      kind: 'advanced',
      head,
      cursor: outcome.tip.height,
      blocks: blocks.length,
      transactions,
      detected: outcome.detected.length + outcome.revived.length,
      confirmed: outcome.confirmed.length,
    };
  }

  private async initialize(em: EntityManager, head: bigint): Promise<CursorState | null> {
    // The cursor is the last block ingested: the chain head at first start, or the block before the configured first one.
    const first = this.options.settings.startHeight;
    if (first !== null && first > head + 1n) return null;
    const height = first === null ? head : first > 0n ? first - 1n : 0n;
    const [block] = await this.options.source.blockHashes([height]);
    if (!block) throw new ChainMovedError(`the node has no block ${height} to start from`);
    return this.options.ingest.initCursor(em, { height, hash: block.hash }, block.parentHash);
  }

  /** The block at `from` changed: find the highest height below where our hash is still canonical, roll back to it. */
  private async reorg(em: EntityManager, cursor: CursorState, from: bigint): Promise<StepResult> {
    const { source, ingest, metrics, settings } = this.options;
    const log = this.log;
    const floor = cursor.height > BigInt(settings.reorgWindow) ? cursor.height - BigInt(settings.reorgWindow) : 0n;
    const stored = await ingest.storedHashes(em, floor, from);
    let fork: bigint | null = null;
    let height = from - 1n;
    search: while (height >= floor) {
      const chunk: bigint[] = [];
      for (let h = height; h >= floor && chunk.length < HASH_CHUNK; h--) chunk.push(h);
      const onChain = await source.blockHashes(chunk);
      for (let i = 0; i < chunk.length; i++) {
        const ours = stored.get(chunk[i]!);
        if (ours === undefined) break search;
        const theirs = onChain[i];
        if (!theirs) throw new ChainMovedError(`the node has no block ${chunk[i]} below its head during a reorg search`);
        if (theirs.hash === ours) {
          fork = chunk[i]!;
          break search;
        }
      }
      height = chunk.at(-1)! - 1n;
    }
    const labels = { network: this.network };
    if (fork === null) {
      const reason = `no common ancestor within the last ${stored.size} stored blocks (reorg deeper than CHAIN_REORG_WINDOW, or another chain at the endpoint)`;
      if (!settings.allowChainReset) {
        if (this.haltedReason === null) log.error({ cursor: cursor.height.toString() }, `ADMIN ALERT: chain watcher halted: ${reason}`);
        this.haltedReason = reason;
        metrics.halted.set(labels, 1);
        return { kind: 'halted', reason };
      }
      // Devnet: the local chain was restarted. Everything we stored belongs to a chain that no longer exists.
      source.resetHead();
      const head = await source.head();
      const [block] = await source.blockHashes([head]);
      if (!block) throw new ChainMovedError(`the node has no block at its head ${head}`);
      const lowest = [...stored.keys()].reduce((a, b) => (a < b ? a : b), cursor.height);
      const outcome = await ingest.rollback(em, cursor, { height: lowest > 0n ? lowest - 1n : 0n }, { cursor: { height: head, hash: block.hash }, parentHash: block.parentHash });
      if (!outcome.applied) return { kind: 'raced' };
      this.countReorg(outcome.reorged.length, outcome.afterCredit.length);
      log.warn({ head: head.toString(), reorged: outcome.reorged.length }, 'devnet chain was replaced: starting over at its head');
      return { kind: 'reorg', fork: null, reorged: outcome.reorged.length };
    }
    const outcome = await ingest.rollback(em, cursor, { height: fork });
    if (!outcome.applied) return { kind: 'raced' };
    this.countReorg(outcome.reorged.length, outcome.afterCredit.length);
    log.warn(
      { fork: fork.toString(), depth: (cursor.height - fork).toString(), reorged: outcome.reorged.length, afterCredit: outcome.afterCredit.length },
      'chain reorganization: rolled back to the common ancestor',
    );
    return { kind: 'reorg', fork, reorged: outcome.reorged.length };
  }

  private countReorg(reorged: number, afterCredit: number): void {
    const { metrics } = this.options;
    metrics.reorgs.inc({ network: this.network });
    if (reorged - afterCredit > 0) metrics.reorged.inc({ network: this.network, after_credit: 'false' }, reorged - afterCredit);
    if (afterCredit > 0) metrics.reorged.inc({ network: this.network, after_credit: 'true' }, afterCredit);
  }

  private clearHalt(): void {
    if (this.haltedReason === null) return;
    this.haltedReason = null;
    this.options.metrics.halted.set({ network: this.network }, 0);
    this.log.warn('chain watcher resumed');
  }

  private async run(): Promise<void> {
    const { settings } = this.options;
    const log = this.log;
    let failures = 0;
    while (!this.stopped) {
      let delay = settings.pollMs;
      try {
        const result = await this.step();
        failures = 0;
        this.lastSuccess = Date.now();
        if (result.kind === 'advanced' && result.head > result.cursor) delay = 0;
        else if (result.kind === 'reorg') delay = 0;
      } catch (err) {
        failures++;
        // Until the endpoint first answered (e.g. a devnet chain still starting), retry at most every 5 s.
        const cap = this.verified ? (settings.maxBackoffMs ?? 30_000) : Math.min(settings.maxBackoffMs ?? 30_000, 5_000);
        const backoff = Math.min(settings.pollMs * 2 ** Math.min(failures, 8), cap);
        delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
        // An endpoint that is down or slow is routine (a stack trace says nothing more); anything else logs whole.
        const cause = isTransientProviderError(err) ? { provider: err.provider, code: err.code, error: err.message } : { err };
        log.warn({ ...cause, consecutiveFailures: failures, backoffMs: delay }, 'chain watcher step failed: backing off');
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        if (delay === 0) {
          setImmediate(resolve);
          return;
        }
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}

const TRANSIENT = new Set(['PROVIDER_TIMEOUT', 'PROVIDER_NETWORK', 'PROVIDER_UNAVAILABLE', 'PROVIDER_RATE_LIMITED']);

function isTransientProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError && TRANSIENT.has(err.code);
}
