import type { EntityManager } from '@mikro-orm/postgresql';
import { isEvmNetwork, type Network } from '../../../chains/network.js';
import type { Logger } from '../../../platform/logger.js';
import type { ChainPayout, PayoutRequest, PayoutStatus, SignedPayout } from '../payout/payout.port.js';
import {
  signedOf,
  storeSigned,
  transition,
  WITHDRAWAL_COLUMNS,
  recordOf,
  type WithdrawalRecord,
  type WithdrawalRow,
  type WithdrawalStatus,
} from './withdrawal.store.js';

/** Named points of a broadcaster step where a test can have the process die (WITHDRAWAL_BROADCASTER_CRASH_AT). */
export type CrashPoint = 'after-sign' | 'after-broadcast';

export interface ProcessorSettings {
  /** How long a broadcast EVM transaction may stay unmined before it is replaced (same nonce, higher fee). */
  stuckAfterMs: number;
  /** Delay between two status looks at a broadcast withdrawal. */
  confirmPollMs: number;
  /** Retry delay after a refused step (the first five retries; then doubling per attempt, capped at 5 minutes). */
  retryMs: number;
}

/** What the broadcaster reports (metrics): transitions it made, broadcast latency, nonces a lost signature left unused. */
export interface ProcessorObserver {
  moved(network: Network, status: WithdrawalStatus): void;
  broadcast(network: Network, seconds: number): void;
  nonceGap(network: Network): void;
}

const ACTIVE: readonly WithdrawalStatus[] = ['APPROVED', 'SIGNED', 'BROADCAST', 'CONFIRMING'];
const MAX_RETRY_MS = 300_000;
const QUICK_RETRIES = 5;

type StepResult =
  | { kind: 'idle' }
  | { kind: 'worked'; withdrawalId: string; moved: WithdrawalStatus | null; signedNow: boolean }
  | {
      kind: 'failed';
      withdrawalId: string;
      status: WithdrawalStatus;
      attempts: number;
      error: unknown;
      signedNow: boolean;
    };

/**
 * The broadcaster's side of a withdrawal (the worker in workers/withdrawal-broadcaster drives it): one step of one
 * due withdrawal of a network at a time, in one database transaction that holds the row (`FOR UPDATE SKIP LOCKED`,
 * so broadcasters running side by side never work on the same withdrawal):
 *
 * - APPROVED → SIGNED: quote, sign (the payout allocates the nonce/seqno durably), and store the signed transaction
 *   (hash + raw bytes) in `wallet.withdrawal_tx` in the same transaction as the move. Nothing is broadcast before
 *   that commits.
 * - SIGNED → BROADCAST: broadcasts the stored raw bytes (idempotent). A crash before the move is recorded leaves it
 *   SIGNED: the next step broadcasts the same bytes again ("already known" is success) — never a new signature.
 * - BROADCAST / CONFIRMING: asks `status` for every stored version (an EVM replacement shares the nonce, so at most
 *   one confirms): CONFIRMED → COMPLETED (`wallet.withdrawal.completed` with the actual fee: the ledger captures);
 *   every version FAILED (or expired unsent) → FAILED (the ledger releases); unknown to the chain (dropped) → the
 *   stored bytes again; an EVM transaction unmined past `stuckAfterMs` → `replace` (same nonce, higher fee), stored,
 *   then broadcast by the next step.
 */
export class WithdrawalProcessor {
  constructor(
    private readonly em: () => EntityManager,
    private readonly payouts: ReadonlyMap<Network, ChainPayout>,
    private readonly settings: ProcessorSettings,
    private readonly log: Logger,
    private readonly observer: ProcessorObserver | null = null,
    private readonly crash: ((point: CrashPoint, withdrawalId: string) => void) | null = null,
  ) {}

  get networks(): Network[] {
    return [...this.payouts.keys()];
  }

  /**
   * One step of the next due withdrawal of `network`; false when none was due (the caller then waits). Signed
   * transactions go first, oldest signature first: nonces reach the node in the order they were allocated.
   */
  async step(network: Network): Promise<boolean> {
    const payout = this.payouts.get(network);
    if (!payout) throw new Error(`no payout for ${network}`);
    let result: StepResult;
    let signedNow = false;
    try {
      result = await this.em().transactional(async (tx) => {
        const [row] = await tx.execute<WithdrawalRow[]>(
          `select ${WITHDRAWAL_COLUMNS} from wallet.withdrawal
           where network = ? and status in ('APPROVED', 'SIGNED', 'BROADCAST', 'CONFIRMING') and next_attempt_at <= now()
           order by status <> 'SIGNED', case when status = 'SIGNED' then updated_at end, next_attempt_at, id
           limit 1 for update skip locked`,
          [network],
        );
        if (!row) return { kind: 'idle' } as const;
        const w = recordOf(row);
        try {
          const moved = await this.advance(tx, payout, w, () => (signedNow = true));
          return { kind: 'worked', withdrawalId: w.id, moved, signedNow } as const;
        } catch (error) {
          // A chain or node refusal (PayoutError, or a client error such as an EVM node's "nonce too high" while a
          // lower nonce is still on its way): nothing was written in this step; retried after a backoff. A database
          // error aborts the transaction, so the commit below throws and the outer handler takes it.
          return {
            kind: 'failed',
            withdrawalId: w.id,
            status: w.status,
            attempts: w.attempts + 1,
            error,
            signedNow,
          } as const;
        }
      });
    } catch (error) {
      // The step's transaction rolled back (database or unexpected error): a signature made in it is lost, its nonce
      // unused until the allocator reconciles it.
      if (signedNow) this.observer?.nonceGap(network);
      this.log.error({ err: error, network }, 'withdrawal step failed; retried');
      return true;
    }
    if (result.kind === 'idle') return false;
    if (result.kind === 'failed') {
      if (result.signedNow) this.observer?.nonceGap(network);
      // A signed transaction is offered again every retryMs until the chain takes it or it expires (a broadcast ahead
      // of a lower nonce still in flight goes through moments later). Other refusals (signing: the hot wallet short
      // of funds, a node down) come quickly a few times, then back off, doubling up to five minutes.
      const backoff = result.status === 'SIGNED' ? 1 : 2 ** Math.min(Math.max(result.attempts - QUICK_RETRIES, 0), 12);
      const delay = Math.min(this.settings.retryMs * backoff, MAX_RETRY_MS);
      await this.em().execute(
        `update wallet.withdrawal set attempts = attempts + 1, last_error = ?, next_attempt_at = now() + make_interval(secs => ?) where id = ?`,
        [String((result.error as Error).message).slice(0, 500), delay / 1000, result.withdrawalId],
      );
      this.log.warn(
        { err: result.error, withdrawalId: result.withdrawalId, delayMs: delay },
        'withdrawal step refused; retried later',
      );
      return true;
    }
    if (result.moved) this.observer?.moved(network, result.moved);
    if (result.moved === 'SIGNED') this.crash?.('after-sign', result.withdrawalId);
    return true;
  }

  private async advance(
    tx: EntityManager,
    payout: ChainPayout,
    w: WithdrawalRecord,
    onSigned: () => void,
  ): Promise<WithdrawalStatus | null> {
    const actor = 'system:withdrawal-broadcaster';
    switch (w.status) {
      case 'APPROVED': {
        const request = requestOf(w);
        const quote = await payout.quoteFee(request);
        const signed = await payout.sign(request, quote);
        onSigned();
        await this.store(tx, w.id, signed, null);
        await transition(tx, w.id, ['APPROVED'], 'SIGNED', actor, { txHash: signed.txHash }, { txHash: signed.txHash });
        await this.due(tx, w.id, 0);
        this.log.info(
          { withdrawalId: w.id, txHash: signed.txHash, sequence: signed.sequence?.toString() },
          'withdrawal signed',
        );
        return 'SIGNED';
      }
      case 'SIGNED': {
        const [latest] = await this.versions(tx, w.id);
        if (!latest) throw new Error(`withdrawal ${w.id} is SIGNED without a stored transaction`);
        const started = performance.now();
        try {
          await payout.broadcast(latest);
        } catch (err) {
          if (latest.expiresAt && latest.expiresAt.getTime() < Date.now()) {
            const st = await payout.status(latest);
            if (st.state === 'UNKNOWN' || st.state === 'FAILED') {
              await transition(
                tx,
                w.id,
                ['SIGNED'],
                'FAILED',
                actor,
                { lastError: 'expired unsent' },
                { txHash: latest.txHash },
              );
              return 'FAILED';
            }
          }
          throw err;
        }
        this.observer?.broadcast(w.network, (performance.now() - started) / 1000);
        this.crash?.('after-broadcast', w.id);
        await transition(tx, w.id, ['SIGNED'], 'BROADCAST', actor, { broadcastAt: new Date(), lastError: null });
        await this.due(tx, w.id, this.settings.confirmPollMs);
        return 'BROADCAST';
      }
      case 'BROADCAST':
      case 'CONFIRMING':
        return this.follow(tx, payout, w, actor);
      default:
        return null;
    }
  }

  /** Looks at every stored version of a broadcast withdrawal and moves it on (see the class comment). */
  private async follow(
    tx: EntityManager,
    payout: ChainPayout,
    w: WithdrawalRecord,
    actor: string,
  ): Promise<WithdrawalStatus | null> {
    const versions = await this.versions(tx, w.id);
    const latest = versions[0];
    if (!latest) throw new Error(`withdrawal ${w.id} is ${w.status} without a stored transaction`);
    const looks: { signed: SignedPayout; status: PayoutStatus }[] = [];
    for (const signed of versions) looks.push({ signed, status: await payout.status(signed) });
    const confirmed = looks.find((l) => l.status.state === 'CONFIRMED');
    if (confirmed) {
      await transition(tx, w.id, [w.status], 'COMPLETED', actor, {
        txHash: confirmed.signed.txHash,
        confirmations: confirmed.status.confirmations,
        networkFee: confirmed.status.fee ?? 0n,
      });
      return 'COMPLETED';
    }
    const now = Date.now();
    const dead = (l: (typeof looks)[number]) =>
      l.status.state === 'FAILED' ||
      (l.status.state === 'UNKNOWN' && l.signed.expiresAt !== null && l.signed.expiresAt.getTime() < now);
    if (looks.every(dead)) {
      await transition(
        tx,
        w.id,
        [w.status],
        'FAILED',
        actor,
        { lastError: 'failed on chain' },
        {
          txHashes: looks.map((l) => l.signed.txHash),
        },
      );
      return 'FAILED';
    }
    const newest = looks[0]!;
    if (newest.status.state === 'UNKNOWN' && !dead(newest)) {
      // Dropped from the mempool, or a replacement stored by the previous step: the same bytes (again).
      await payout.broadcast(newest.signed);
    }
    const mined = looks.find((l) => l.status.state === 'PENDING' && l.status.confirmations > 0);
    if (mined) {
      if (w.status === 'BROADCAST') {
        await transition(tx, w.id, ['BROADCAST'], 'CONFIRMING', actor, {
          confirmations: mined.status.confirmations,
          txHash: mined.signed.txHash,
        });
        await this.due(tx, w.id, this.settings.confirmPollMs);
        return 'CONFIRMING';
      }
      await tx.execute(
        'update wallet.withdrawal set confirmations = ?, updated_at = now() where id = ? and status = ?',
        [mined.status.confirmations, w.id, 'CONFIRMING'],
      );
    } else if (
      isEvmNetwork(w.network) &&
      newest.status.state === 'PENDING' &&
      w.broadcastAt &&
      now - w.broadcastAt.getTime() > this.settings.stuckAfterMs
    ) {
      const replacement = await payout.replace(requestOf(w), newest.signed);
      if (replacement) {
        await this.store(tx, w.id, replacement, newest.signed.txHash);
        await tx.execute(
          'update wallet.withdrawal set tx_hash = ?, broadcast_at = now(), updated_at = now() where id = ?',
          [replacement.txHash, w.id],
        );
        this.log.warn(
          { withdrawalId: w.id, stuck: newest.signed.txHash, replacement: replacement.txHash },
          'stuck withdrawal transaction replaced (same nonce, higher fee)',
        );
        await this.due(tx, w.id, 0);
        return null;
      }
    }
    await this.due(tx, w.id, this.settings.confirmPollMs);
    return null;
  }

  private async store(tx: EntityManager, withdrawalId: string, signed: SignedPayout, replaces: string | null) {
    await tx.execute(
      'insert into wallet.withdrawal_tx (tx_hash, withdrawal_id, network, signed, replaces) values (?, ?, ?, ?::jsonb, ?)',
      [signed.txHash, withdrawalId, signed.network, JSON.stringify(storeSigned(signed)), replaces],
    );
  }

  /** Every signed version of a withdrawal, newest first. */
  private async versions(tx: EntityManager, withdrawalId: string): Promise<SignedPayout[]> {
    const rows = await tx.execute<{ signed: Parameters<typeof signedOf>[0] }[]>(
      'select signed from wallet.withdrawal_tx where withdrawal_id = ? order by created_at desc, tx_hash',
      [withdrawalId],
    );
    return rows.map((r) => signedOf(r.signed));
  }

  private async due(tx: EntityManager, withdrawalId: string, delayMs: number): Promise<void> {
    await tx.execute(
      'update wallet.withdrawal set next_attempt_at = now() + make_interval(secs => ?), attempts = 0 where id = ?',
      [delayMs / 1000, withdrawalId],
    );
  }
}

export function requestOf(w: WithdrawalRecord): PayoutRequest {
  return {
    network: w.network,
    asset: w.asset,
    from: { kind: 'hot' },
    to: w.toAddress,
    amount: w.amount,
    memo: w.memo,
    reference: w.id,
  };
}

export { ACTIVE as ACTIVE_WITHDRAWAL_STATUSES };
