import type { EntityManager } from '@mikro-orm/postgresql';
import type { Network } from '../../../chains/network.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { newId } from '../../../platform/ids.js';
import type { PayoutSource, SignedPayout } from '../payout/payout.port.js';

export type MoveKind = 'SWEEP' | 'GAS_TOPUP' | 'COLD';
export type MoveStatus = 'WAITING_GAS' | 'PLANNED' | 'SIGNED' | 'BROADCAST' | 'CONFIRMED' | 'FAILED';
export const OPEN_STATUSES: readonly MoveStatus[] = ['WAITING_GAS', 'PLANNED', 'SIGNED', 'BROADCAST'];

export interface TreasuryMove {
  id: string;
  kind: MoveKind;
  network: Network;
  asset: string;
  source: PayoutSource;
  fromAddress: string;
  toAddress: string;
  amount: bigint;
  status: MoveStatus;
  topUpId: string | null;
  feeAsset: string;
  maxFee: bigint | null;
  fee: bigint | null;
  signed: SignedPayout | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewMove {
  kind: MoveKind;
  network: Network;
  asset: string;
  source: PayoutSource;
  fromAddress: string;
  toAddress: string;
  amount: bigint;
  feeAsset: string;
  status?: 'PLANNED' | 'WAITING_GAS';
  topUpId?: string | null;
}

type Row = Record<string, unknown>;

export function run<T extends Row = Row>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as string));
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string));

const COLUMNS = `id, kind, network, asset, source_kind, source_index, from_address, to_address, amount::text as amount,
  status, top_up_id, fee_asset, max_fee::text as max_fee, fee::text as fee, tx_hash, raw, sequence::text as sequence,
  expires_at, error, created_at, updated_at`;

function moveOf(r: Row): TreasuryMove {
  const network = r.network as Network;
  return {
    id: String(r.id),
    kind: r.kind as MoveKind,
    network,
    asset: String(r.asset),
    source: r.source_kind === 'hot' ? { kind: 'hot' } : { kind: 'deposit', index: Number(r.source_index) },
    fromAddress: String(r.from_address),
    toAddress: String(r.to_address),
    amount: BigInt(r.amount as string),
    status: r.status as MoveStatus,
    topUpId: (r.top_up_id as string | null) ?? null,
    feeAsset: String(r.fee_asset),
    maxFee: big(r.max_fee),
    fee: big(r.fee),
    signed:
      r.tx_hash && r.raw
        ? {
            network,
            reference: String(r.id),
            from: String(r.from_address),
            txHash: String(r.tx_hash),
            raw: String(r.raw),
            sequence: big(r.sequence),
            maxFee: big(r.max_fee) ?? 0n,
            expiresAt: r.expires_at ? date(r.expires_at) : null,
          }
        : null,
    error: (r.error as string | null) ?? null,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

/** The event every move publishes on each final or outward step (`wallet.sweep.<verb>`, payload keys only + amounts). */
function publish(em: EntityManager, verb: 'planned' | 'broadcast' | 'confirmed' | 'failed', m: TreasuryMove): void {
  recordEvent(em, `wallet.sweep.${verb}`, 'wallet', {
    moveId: m.id,
    kind: m.kind,
    network: m.network,
    asset: m.asset,
    amount: m.amount.toString(),
    from: m.fromAddress,
    to: m.toAddress,
    txHash: m.signed?.txHash ?? null,
    feeAsset: m.feeAsset,
    fee: m.fee?.toString() ?? null,
    status: m.status,
  });
}

/**
 * wallet.treasury_move: every sweep, gas top-up and cold move, written before it is signed and advanced only by
 * compare-and-set on its status (a second worker loses the race and does nothing), with its outbox event in the
 * same transaction.
 */
export class MoveStore {
  /** Inserts the moves in one transaction; false when an open move of the same thing exists (unique index). */
  async plan(em: EntityManager, moves: readonly (NewMove & { id?: string })[]): Promise<TreasuryMove[] | null> {
    try {
      return await em.transactional(async (tx) => {
        const out: TreasuryMove[] = [];
        for (const m of moves) {
          const [row] = await run(
            tx,
            `insert into wallet.treasury_move (id, kind, network, asset, source_kind, source_index, from_address,
               to_address, amount, status, top_up_id, fee_asset)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning ${COLUMNS}`,
            [
              m.id ?? newId('mov'),
              m.kind,
              m.network,
              m.asset,
              m.source.kind,
              m.source.kind === 'deposit' ? m.source.index : null,
              m.fromAddress,
              m.toAddress,
              m.amount.toString(),
              m.status ?? 'PLANNED',
              m.topUpId ?? null,
              m.feeAsset,
            ],
          );
          const move = moveOf(row!);
          publish(tx, 'planned', move);
          out.push(move);
        }
        return out;
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return null;
      throw err;
    }
  }

  async get(em: EntityManager, id: string): Promise<TreasuryMove | null> {
    const [row] = await run(em, `select ${COLUMNS} from wallet.treasury_move where id = ?`, [id]);
    return row ? moveOf(row) : null;
  }

  async open(em: EntityManager, network: Network): Promise<TreasuryMove[]> {
    const rows = await run(
      em,
      `select ${COLUMNS} from wallet.treasury_move where network = ? and status not in ('CONFIRMED', 'FAILED')
        order by (kind = 'GAS_TOPUP') desc, created_at, id`,
      [network],
    );
    return rows.map(moveOf);
  }

  async list(em: EntityManager, filter: { network?: Network; kind?: MoveKind } = {}): Promise<TreasuryMove[]> {
    const rows = await run(
      em,
      `select ${COLUMNS} from wallet.treasury_move where (?::text is null or network = ?) and (?::text is null or kind = ?)
        order by created_at, id`,
      [filter.network ?? null, filter.network ?? null, filter.kind ?? null, filter.kind ?? null],
    );
    return rows.map(moveOf);
  }

  /** WAITING_GAS → PLANNED once the top-up is confirmed. */
  async release(em: EntityManager, id: string): Promise<boolean> {
    const rows = await run(
      em,
      `update wallet.treasury_move set status = 'PLANNED', updated_at = now() where id = ? and status = 'WAITING_GAS' returning id`,
      [id],
    );
    return rows.length === 1;
  }

  /** PLANNED → SIGNED with the signed bytes (and the amount the quote left, for a native sweep): before broadcast. */
  async signed(em: EntityManager, id: string, signed: SignedPayout, amount: bigint): Promise<boolean> {
    const rows = await run(
      em,
      `update wallet.treasury_move set status = 'SIGNED', tx_hash = ?, raw = ?, sequence = ?, max_fee = ?, expires_at = ?,
         amount = ?, updated_at = now()
       where id = ? and status = 'PLANNED' returning id`,
      [
        signed.txHash,
        signed.raw,
        signed.sequence?.toString() ?? null,
        signed.maxFee.toString(),
        signed.expiresAt,
        amount.toString(),
        id,
      ],
    );
    return rows.length === 1;
  }

  async broadcast(em: EntityManager, id: string): Promise<void> {
    await em.transactional(async (tx) => {
      const rows = await run(
        tx,
        `update wallet.treasury_move set status = 'BROADCAST', updated_at = now() where id = ? and status = 'SIGNED' returning ${COLUMNS}`,
        [id],
      );
      if (rows[0]) publish(tx, 'broadcast', moveOf(rows[0]));
    });
  }

  /** A final answer: CONFIRMED with the fee paid, or FAILED with why. Only from an open status. */
  async finish(
    em: EntityManager,
    id: string,
    outcome: { status: 'CONFIRMED'; fee: bigint | null } | { status: 'FAILED'; error: string; fee?: bigint | null },
  ): Promise<TreasuryMove | null> {
    return em.transactional(async (tx) => {
      const rows = await run(
        tx,
        `update wallet.treasury_move set status = ?, fee = ?, error = ?, updated_at = now()
          where id = ? and status not in ('CONFIRMED', 'FAILED') returning ${COLUMNS}`,
        [outcome.status, outcome.fee?.toString() ?? null, outcome.status === 'FAILED' ? outcome.error : null, id],
      );
      const move = rows[0] ? moveOf(rows[0]) : null;
      if (move) publish(tx, outcome.status === 'CONFIRMED' ? 'confirmed' : 'failed', move);
      return move;
    });
  }
}
