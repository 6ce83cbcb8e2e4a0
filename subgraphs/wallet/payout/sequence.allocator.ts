import type { EntityManager } from '@mikro-orm/postgresql';
import type { Network } from '../../../chains/network.js';

/** A TON wallet's seqno is taken by a signed message that may still land; try again after `until`. */
export class SequenceBusyError extends Error {
  readonly code = 'PAYOUT_SEQUENCE_BUSY';
  constructor(
    readonly network: Network,
    readonly address: string,
    readonly until: Date,
  ) {
    super(`${network} ${address}: the previous message may still land until ${until.toISOString()}; retry after it`);
    this.name = 'SequenceBusyError';
  }
}

export interface Allocation {
  sequence: bigint;
  /** True when this reference already held the number (a payout signed again after a crash). */
  existing: boolean;
}

interface SequenceRow {
  next_sequence: string;
  busy_until: Date | string | null;
}

/**
 * Durable sequence numbers per (network, sending address), in `wallet.payout_sequence` / `payout_allocation`.
 * Every allocation runs in one transaction holding the address's row lock (`select … for update`), so two
 * broadcaster processes (or two connections of one) serialise on it and never get the same number.
 *
 * - `allocateNonce` (EVM): next = max(stored next, the chain's pending nonce) — the chain count reconciles the
 *   table on first use, after a restart, and when someone else used the address; the stored value keeps numbers
 *   handed out but not yet broadcast. Idempotent per reference.
 * - `allocateSeqno` (TON): the wallet accepts exactly its current seqno, so one message at a time: the chain's
 *   seqno is taken while a signed message for it may still land (`busy_until` = its valid_until); a new payout
 *   then gets `SequenceBusyError`. Once the chain moved past it, or it expired, the chain's seqno is handed out.
 */
export class SequenceAllocator {
  constructor(private readonly em: () => EntityManager) {}

  async allocateNonce(network: Network, address: string, reference: string, chainNext: bigint): Promise<Allocation> {
    return this.em().transactional(async (tx) => {
      const held = await this.lock(tx, network, address, reference, chainNext);
      if (held.existing) return held.existing;
      const stored = BigInt(held.row.next_sequence);
      const sequence = stored > chainNext ? stored : chainNext;
      await this.record(tx, network, address, reference, sequence, null);
      return { sequence, existing: false };
    });
  }

  async allocateSeqno(
    network: Network,
    address: string,
    reference: string,
    chainSeqno: bigint,
    validUntil: Date,
    now: Date = new Date(),
  ): Promise<Allocation> {
    return this.em().transactional(async (tx) => {
      const held = await this.lock(tx, network, address, reference, chainSeqno);
      if (held.existing && held.existing.sequence >= chainSeqno) return held.existing;
      const stored = BigInt(held.row.next_sequence);
      // The driver may hand timestamptz back as text.
      const busyUntil = held.row.busy_until === null ? null : new Date(held.row.busy_until);
      if (stored > chainSeqno && busyUntil !== null && busyUntil.getTime() > now.getTime()) {
        throw new SequenceBusyError(network, address, busyUntil);
      }
      if (held.existing) {
        // This payout's earlier message was consumed or expired; it signs anew on the chain's current seqno.
        await tx.execute(
          `delete from "wallet"."payout_allocation" where "network" = ? and "address" = ? and "reference" = ?`,
          [network, address, reference],
        );
      }
      await this.record(tx, network, address, reference, chainSeqno, validUntil);
      return { sequence: chainSeqno, existing: false };
    });
  }

  /**
   * The numbers handed out on (network, address) at or above `from` (e.g. the chain's `latest` nonce: not yet
   * mined), in order, with the payout holding each. A hole between `from` and the first one, or between two, is a
   * nonce gap: later transactions wait behind it until it is filled.
   */
  async outstanding(
    network: Network,
    address: string,
    from: bigint,
  ): Promise<Array<{ sequence: bigint; reference: string }>> {
    const rows = await this.em().execute<{ sequence: string; reference: string }[]>(
      `select "sequence", "reference" from "wallet"."payout_allocation"
       where "network" = ? and "address" = ? and "sequence" >= ? order by "sequence", "allocated_at"`,
      [network, address, from.toString()],
    );
    return rows.map((r) => ({ sequence: BigInt(r.sequence), reference: r.reference }));
  }

  /** The number `reference` holds on (network, address), or null. */
  async allocationOf(network: Network, address: string, reference: string): Promise<bigint | null> {
    const rows = await this.em().execute<{ sequence: string }[]>(
      `select "sequence" from "wallet"."payout_allocation" where "network" = ? and "address" = ? and "reference" = ?`,
      [network, address, reference],
    );
    return rows[0] ? BigInt(rows[0].sequence) : null;
  }

  private async lock(
    tx: EntityManager,
    network: Network,
    address: string,
    reference: string,
    chainNext: bigint,
  ): Promise<{ row: SequenceRow; existing: Allocation | null }> {
    await tx.execute(
      `insert into "wallet"."payout_sequence" ("network", "address", "next_sequence") values (?, ?, ?) on conflict do nothing`,
      [network, address, chainNext.toString()],
    );
    const [row] = await tx.execute<SequenceRow[]>(
      `select "next_sequence", "busy_until" from "wallet"."payout_sequence" where "network" = ? and "address" = ? for update`,
      [network, address],
    );
    if (!row) throw new Error(`payout_sequence row for ${network} ${address} vanished`);
    const [held] = await tx.execute<{ sequence: string }[]>(
      `select "sequence" from "wallet"."payout_allocation" where "network" = ? and "address" = ? and "reference" = ?`,
      [network, address, reference],
    );
    return { row, existing: held ? { sequence: BigInt(held.sequence), existing: true } : null };
  }

  private async record(
    tx: EntityManager,
    network: Network,
    address: string,
    reference: string,
    sequence: bigint,
    busyUntil: Date | null,
  ): Promise<void> {
    await tx.execute(
      `update "wallet"."payout_sequence" set "next_sequence" = ?, "busy_until" = ?, "updated_at" = now()
       where "network" = ? and "address" = ?`,
      [(sequence + 1n).toString(), busyUntil, network, address],
    );
    await tx.execute(
      `insert into "wallet"."payout_allocation" ("network", "address", "reference", "sequence") values (?, ?, ?, ?)`,
      [network, address, reference, sequence.toString()],
    );
  }
}
