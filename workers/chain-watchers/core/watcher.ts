import type { EntityManager } from '@mikro-orm/postgresql';
import { BackoffLoop } from '../../../platform/backoff.js';
import { bindOnce, type Logger } from '../../../platform/logger.js';
import { ProviderError } from '../../../providers/http/http.errors.js';
import { ChainIdentityError, describeIdentity, sameChain, type ChainIdentity } from '../../../chains/chain-identity.js';
import { ChainMovedError, type ChainSource, type CursorState } from '../../../chains/source.js';
import type { DepositWriter } from '../../../subgraphs/wallet/ports.js';
import type { WatcherMetrics } from './watcher.metrics.js';
import { inSpan } from '../../../platform/telemetry/spans.js';

export interface ChainWatcherSettings {
  pollMs: number;
  /** Blocks read per step. */
  batchBlocks: number;
  /** First block to scan when there is no cursor yet; null = the block after the chain head at that moment. */
  startHeight: bigint | null;
  /** Depth of stored block hashes (deposit ingest prunes beyond it). */
  reorgWindow: number;
  /**
   * What to do when the endpoint serves another chain than the cursor's — its first block changed, no common
   * ancestor within the reorg window, or its head is below the cursor beyond the stored hashes (e.g. a restarted
   * devnet): true = start over on the new chain (devnet), false = halt and alert (production).
   */
  allowChainReset: boolean;
  /** Re-check the endpoint's chain identity at least this often (also at start and after every failure); default 60 s. */
  verifyEveryMs?: number;
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
  | {
      kind: 'advanced';
      head: bigint;
      cursor: bigint;
      blocks: number;
      transactions: number;
      detected: number;
      confirmed: number;
    }
  | { kind: 'reorg'; fork: bigint | null; reorged: number }
  | { kind: 'raced' }
  | { kind: 'halted'; reason: string }
  | { kind: 'reset'; head: bigint; cursor: bigint; reorged: number }
  /** The node's head is below the cursor on our chain (a lagging node, a reorg under way): nothing to do, not healthy. */
  | { kind: 'behind'; head: bigint; cursor: bigint }
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
  /** The chain the endpoint served when last verified (null until it first answered). */
  private identity: ChainIdentity | null = null;
  private verifiedAt = 0;
  /** Verify before the next step: at start and after any failure (the endpoint may be another one when it is back). */
  private needsVerify = true;
  private behindSince: number | null = null;
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

  /**
   * For health checks: when a step last completed with the watcher in step with the chain (a node behind the cursor
   * does not count), and why the watcher is halted (null when it is not).
   */
  status(): { lastSuccessAt: number; halted: string | null; identity: ChainIdentity | null } {
    return { lastSuccessAt: this.lastSuccess, halted: this.haltedReason, identity: this.identity };
  }

  /** One step (tests drive it directly); a failure is counted in chain_watcher_errors_total and rethrown. */
  async step(): Promise<StepResult> {
    try {
      const result = await this.advance();
      if (result.kind !== 'behind' && result.kind !== 'halted') this.lastSuccess = Date.now();
      return result;
    } catch (err) {
      this.needsVerify = true;
      this.options.metrics.errors.inc({ network: this.network, kind: err instanceof Error ? err.name : 'unknown' });
      throw err;
    }
  }

  private async advance(): Promise<StepResult> {
    const { source, ingest, metrics, settings } = this.options;
    const labels = { network: this.network };
    const em = this.options.em();
    if (this.needsVerify || Date.now() - this.verifiedAt >= (settings.verifyEveryMs ?? 60_000)) {
      const refused = await this.verifyChain(em);
      if (refused) return refused;
    }
    let head: bigint;
    try {
      head = await source.head();
      this.regressions = 0;
    } catch (err) {
      if (source.isHeadRegression(err)) {
        this.regressions++;
        if (this.regressions >= (settings.acceptRegressionAfter ?? 3)) {
          this.log.warn(
            { times: this.regressions },
            'node head stays below the highest seen: accepting it (nothing is rolled back without a different block hash)',
          );
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
      if (!initialized)
        return { kind: 'waiting', reason: `start height ${settings.startHeight} is above the chain head ${head}` };
      cursor = initialized;
    }
    metrics.cursor.set(labels, Number(cursor.height));
    metrics.lag.set(labels, Number(head > cursor.height ? head - cursor.height : 0n));

    if (head < cursor.height) {
      // The node is behind what we ingested. Where we still hold its head's hash: a different one is a reorg, the same
      // one our chain, shorter at this node (wait, but not as a healthy watcher). Beyond the stored hashes we cannot
      // tell a node far out of sync from another chain (a restarted devnet): the devnet starts over, production halts.
      const stored = (await ingest.storedHashes(em, head, head)).get(head);
      if (stored === undefined) {
        return this.chainReplaced(
          em,
          cursor,
          `the node's head ${head} is below the cursor ${cursor.height}, beyond the stored block hashes: another chain or a node out of sync`,
        );
      }
      const [onChain] = await source.blockHashes([head]);
      if (onChain && onChain.hash !== stored) return this.reorg(em, cursor, head);
      if (this.behindSince === null) {
        this.behindSince = Date.now();
        this.log.warn(
          { head: head.toString(), cursor: cursor.height.toString() },
          'the node is behind the cursor on our chain: waiting for it (health turns stale if it lasts)',
        );
      }
      return { kind: 'behind', head, cursor: cursor.height };
    }
    this.behindSince = null;
    // Is what we ingested last still canonical? (A reorg that replaced blocks without making the chain longer.)
    const [atCursor] = await source.blockHashes([cursor.height]);
    if (atCursor && atCursor.hash !== cursor.hash) return this.reorg(em, cursor, cursor.height);
    if (head === cursor.height) {
      this.clearHalt();
      return { kind: 'idle', head, cursor: cursor.height };
    }

    const last =
      head < cursor.height + BigInt(settings.batchBlocks) ? head : cursor.height + BigInt(settings.batchBlocks);
    const blocks = await source.scan(cursor.height + 1n, last);
    if (blocks.length === 0) return { kind: 'idle', head, cursor: cursor.height };
    if (blocks[0]!.parentHash !== cursor.hash) return this.reorg(em, cursor, cursor.height);
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i]!;
      if (block.height !== cursor.height + BigInt(i) + 1n)
        throw new ChainMovedError(`expected block ${cursor.height + BigInt(i) + 1n}, got ${block.height}`);
      if (i > 0 && block.parentHash !== blocks[i - 1]!.hash)
        throw new ChainMovedError(
          `block ${block.height} does not link to the block before it: the chain moved during the scan`,
        );
    }
    // Each ingested batch starts a trace: the deposits it records carry it through the outbox to the ledger's credit
    // and the subscribers' pushes.
    const outcome = await inSpan(
      `watch ${this.network} blocks`,
      {
        root: true,
        attributes: {
          'chain.network': this.network,
          'chain.block.first': Number(blocks[0]!.height),
          'chain.blocks': blocks.length,
        },
      },
      async (span) => {
        const result = await ingest.ingest(em, cursor, blocks);
        if (result.applied)
          span.setAttributes({
            'deposits.detected': result.detected.length + result.revived.length,
            'deposits.confirmed': result.confirmed.length,
          });
        return result;
      },
    );
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
      this.log.info(
        { depositId: d.id, asset: d.asset, amount: d.amount, txHash: d.tx_hash, block: d.block_number },
        'deposit detected',
      );
    }
    for (const d of outcome.ignored) {
      this.log.info(
        { depositId: d.id, asset: d.asset, amount: d.amount, txHash: d.tx_hash },
        'deposit below the minimum: ignored',
      );
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
    const { source, ingest, settings } = this.options;
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
        if (!theirs)
          throw new ChainMovedError(`the node has no block ${chunk[i]} below its head during a reorg search`);
        if (theirs.hash === ours) {
          fork = chunk[i]!;
          break search;
        }
      }
      height = chunk.at(-1)! - 1n;
    }
    if (fork === null) {
      return this.chainReplaced(
        em,
        cursor,
        `no common ancestor within the last ${stored.size} stored blocks (reorg deeper than CHAIN_REORG_WINDOW, or another chain at the endpoint)`,
      );
    }
    const outcome = await ingest.rollback(em, cursor, { height: fork });
    if (!outcome.applied) return { kind: 'raced' };
    this.countReorg(outcome.reorged.length, outcome.afterCredit.length);
    log.warn(
      {
        fork: fork.toString(),
        depth: (cursor.height - fork).toString(),
        reorged: outcome.reorged.length,
        afterCredit: outcome.afterCredit.length,
      },
      'chain reorganization: rolled back to the common ancestor',
    );
    return { kind: 'reorg', fork, reorged: outcome.reorged.length };
  }

  /**
   * Asks the endpoint which chain it serves. A pinned identity that does not match halts (ChainIdentityError); an
   * identity that changed since the last check means the endpoint now serves another chain.
   */
  private async verifyChain(em: EntityManager): Promise<StepResult | null> {
    let seen: ChainIdentity;
    try {
      seen = await this.options.source.verify();
    } catch (err) {
      if (err instanceof ChainIdentityError)
        return this.halt(`the endpoint serves another chain than the pinned one: ${err.message}`);
      throw err;
    }
    const before = this.identity;
    this.identity = seen;
    this.needsVerify = false;
    this.verifiedAt = Date.now();
    if (before && !sameChain(before, seen)) {
      const reason = `the endpoint now serves another chain (${describeIdentity(before)} → ${describeIdentity(seen)})`;
      const cursor = await this.options.ingest.cursor(em);
      // Another instance may have started over on this chain already: then the cursor is canonical on it.
      const [atCursor] = cursor ? await this.options.source.blockHashes([cursor.height]) : [null];
      if (cursor && atCursor?.hash !== cursor.hash) return this.chainReplaced(em, cursor, reason);
      this.options.source.resetHead(); // the highest head seen was the other chain's
      this.log.warn({ cursor: cursor?.height.toString() ?? null }, `${reason}; the cursor is already on it`);
    }
    // A halt for a wrong chain lifts once the endpoint serves the right one again (the step goes on to check the cursor).
    if (this.haltedReason?.startsWith('the endpoint serves another chain')) this.clearHalt();
    return null;
  }

  /**
   * The chain under the cursor is not the endpoint's chain. Production: halt and alert, credit nothing, until an
   * operator looks (or the endpoint serves our chain again). Devnet: start over on the new chain from its first block
   * (firstBlock: so a deposit made right after it started is seen), telling so in the log and
   * chain_watcher_chain_resets_total.
   * The dead chain's deposits never sent for credit become REORGED (they cannot confirm any more); credits already
   * requested stand — a devnet restart is not a reorg of the chain they were made on — and the same transaction seen
   * again on the new chain is the same deposit row, never credited twice.
   */
  private async chainReplaced(em: EntityManager, cursor: CursorState, reason: string): Promise<StepResult> {
    const { source, ingest, metrics, settings } = this.options;
    source.resetHead(); // the highest head seen belongs to the chain under the cursor, not to this one
    if (!settings.allowChainReset) return this.halt(reason);
    const head = await source.head();
    const start = await this.firstBlock(head);
    const outcome = await ingest.rollback(
      em,
      cursor,
      { height: start.height },
      { cursor: { height: start.height, hash: start.block.hash }, parentHash: start.block.parentHash },
    );
    if (!outcome.applied) return { kind: 'raced' };
    metrics.chainResets.inc({ network: this.network });
    if (outcome.reorged.length)
      metrics.reorged.inc({ network: this.network, after_credit: 'false' }, outcome.reorged.length);
    metrics.cursor.set({ network: this.network }, Number(start.height));
    this.behindSince = null;
    this.clearHalt();
    this.log.warn(
      {
        reason,
        previousCursor: cursor.height.toString(),
        head: head.toString(),
        from: start.height.toString(),
        orphaned: outcome.reorged.length,
      },
      'devnet chain was replaced: starting over on the new chain',
    );
    return { kind: 'reset', head, cursor: start.height, reorged: outcome.reorged.length };
  }

  /**
   * Where a replaced chain is scanned from: its block 0, or where the node serves no block 0 (a simulator starting
   * at a mainnet-like height) the lowest block it serves within the reorg window below its head (binary search).
   */
  private async firstBlock(head: bigint): Promise<{ height: bigint; block: { hash: string; parentHash: string } }> {
    const { source, settings } = this.options;
    const at = async (height: bigint) => (await source.blockHashes([height]))[0] ?? null;
    const genesis = await at(0n);
    if (genesis) return { height: 0n, block: genesis };
    let low = head > BigInt(settings.reorgWindow) ? head - BigInt(settings.reorgWindow) : 0n;
    const lowest = await at(low);
    if (lowest) return { height: low, block: lowest };
    let high = head; // served; `low` is not
    while (high - low > 1n) {
      const mid = (low + high) / 2n;
      if (await at(mid)) high = mid;
      else low = mid;
    }
    const block = await at(high);
    if (!block) throw new ChainMovedError(`the node has no block ${high} below its head ${head}`);
    return { height: high, block };
  }

  private halt(reason: string): StepResult {
    if (this.haltedReason !== reason)
      this.log.error({ reason }, `ADMIN ALERT: chain watcher halted, nothing is credited: ${reason}`);
    this.haltedReason = reason;
    this.options.metrics.halted.set({ network: this.network }, 1);
    return { kind: 'halted', reason };
  }

  private countReorg(reorged: number, afterCredit: number): void {
    const { metrics } = this.options;
    metrics.reorgs.inc({ network: this.network });
    if (reorged - afterCredit > 0)
      metrics.reorged.inc({ network: this.network, after_credit: 'false' }, reorged - afterCredit);
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
    // The platform back-off (×2 per failure, equal jitter) from twice the poll interval.
    const backoff = new BackoffLoop({ initialMs: 2 * settings.pollMs, maxMs: settings.maxBackoffMs ?? 30_000 });
    while (!this.stopped) {
      let delay = settings.pollMs;
      try {
        const result = await this.step();
        failures = 0;
        backoff.reset();
        if (result.kind === 'advanced' && result.head > result.cursor) delay = 0;
        else if (result.kind === 'reorg' || result.kind === 'reset') delay = 0;
      } catch (err) {
        failures++;
        // Until the endpoint first answered (e.g. a devnet chain still starting), retry at most every 5 s.
        const cap =
          this.identity !== null ? (settings.maxBackoffMs ?? 30_000) : Math.min(settings.maxBackoffMs ?? 30_000, 5_000);
        delay = Math.min(backoff.next(), cap);
        // An endpoint that is down or slow is routine (a stack trace says nothing more); anything else logs whole.
        const cause = isTransientProviderError(err)
          ? { provider: err.provider, code: err.code, error: err.message }
          : { err };
        log.warn(
          { ...cause, consecutiveFailures: failures, backoffMs: delay },
          'chain watcher step failed: backing off',
        );
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
