import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, type Viewer } from '../../../platform/auth/viewer.js';
import { forbidden, notFound, unauthenticated } from '../../../platform/errors.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { checkAssets } from '../balance/balance.service.js';
import { textArray, timestamp } from '../core/sql.js';
import { buildLevels, leafNode, newNonce, proofOf, siblingPositions, userHash, type ProofStep } from './merkle-sum.js';

/** Who may publish a snapshot and read liabilities (the treasury's reconciliation). */
export const RESERVE_STAFF_ROLES = ['FINANCE', 'ADMIN', 'SUPERADMIN'] as const;

/** Node rows written per INSERT (unnest of arrays: one round trip per chunk). */
const INSERT_CHUNK = 5_000;

export interface ReserveSnapshotRecord {
  id: string;
  asset: string;
  takenAt: Date;
  rootHash: string;
  /** Σ of every leaf (= the root's sum), in the asset's minor unit. */
  total: bigint;
  leafCount: number;
}

export interface ReserveProofRecord {
  snapshot: ReserveSnapshotRecord;
  userId: string;
  nonce: string;
  userHash: string;
  balance: bigint;
  leafHash: string;
  leafIndex: number;
  path: ProofStep[];
}

export interface Liabilities {
  asset: string;
  /** Σ available + held over every user, in the asset's minor unit. */
  total: bigint;
  /** Users with a non-zero balance of the asset. */
  users: number;
}

type Row = Record<string, unknown>;

function run<T extends Row>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

function snapshotOf(row: Row): ReserveSnapshotRecord {
  return {
    id: String(row.id),
    asset: String(row.asset),
    takenAt: timestamp(row.taken_at as string | Date),
    rootHash: String(row.root_hash),
    total: BigInt(row.total as string),
    leafCount: Number(row.leaf_count),
  };
}

/**
 * Proof of reserves, the ledger's half: the ledger owns user balances, so it owns liabilities and the published
 * Merkle sum trees (merkle-sum.ts). The wallet reads holdings from the chains and the gateway joins both on the
 * `AssetReserve` entity (wallet: holdings; ledger: liabilities and the latest root).
 */
export class ReserveService {
  constructor(private readonly log: Logger) {}

  authorizeStaff(viewer: Viewer): void {
    if (!viewer.userId) throw unauthenticated();
    if (!hasRole(viewer, ...RESERVE_STAFF_ROLES)) throw forbidden('FINANCE or admins only');
  }

  /** Live liabilities of several assets in one query (what `AssetReserve.liabilities` batches). */
  async liabilities(em: EntityManager, assets: readonly string[]): Promise<Map<string, Liabilities>> {
    const rows = assets.length
      ? await run<{ asset: string; total: string; users: string }>(
          em,
          `select asset, sum(amount)::text as total, count(distinct user_id)::text as users
             from ledger.balance
            where user_id is not null and amount > 0 and asset = any(?::text[])
            group by asset`,
          [textArray(assets)],
        )
      : [];
    const out = new Map<string, Liabilities>(assets.map((a) => [a, { asset: a, total: 0n, users: 0 }]));
    for (const row of rows)
      out.set(row.asset, { asset: row.asset, total: BigInt(row.total), users: Number(row.users) });
    return out;
  }

  /**
   * Publishes one snapshot per asset (every catalogue asset when null): the users' balances (available + held)
   * read in one statement (one consistent MVCC snapshot), the tree built in memory, and the snapshot, its leaves
   * and nodes written in one transaction. `actor` null = the periodic publisher.
   */
  async publish(
    em: EntityManager,
    actor: string | null,
    assets: readonly string[] | null,
  ): Promise<ReserveSnapshotRecord[]> {
    const symbols = checkAssets(assets ? [...assets] : null);
    const out: ReserveSnapshotRecord[] = [];
    for (const asset of symbols) out.push(await this.publishOne(em, actor, asset));
    return out;
  }

  /**
   * The periodic publisher: every asset, when the newest snapshot is older than `intervalMinutes`. An advisory
   * lock keeps two ledger replicas from publishing the same round twice.
   */
  async publishIfDue(em: EntityManager, intervalMinutes: number): Promise<boolean> {
    return em.fork().transactional(async (tx) => {
      const [lock] = await run<{ locked: boolean }>(
        tx,
        `select pg_try_advisory_xact_lock(hashtext('ledger.reserve_snapshot')) as locked`,
      );
      if (!lock?.locked) return false;
      const [due] = await run<{ due: boolean }>(
        tx,
        `select coalesce(max(taken_at) < now() - make_interval(mins => ?), true) as due from ledger.reserve_snapshot`,
        [intervalMinutes],
      );
      if (!due?.due) return false;
      await this.publish(tx, null, null);
      return true;
    });
  }

  async publishAs(em: EntityManager, viewer: Viewer, assets: readonly string[] | null) {
    this.authorizeStaff(viewer);
    return this.publish(em, viewer.userId, assets);
  }

  private async publishOne(em: EntityManager, actor: string | null, asset: string): Promise<ReserveSnapshotRecord> {
    return em.transactional(async (tx) => {
      const [now] = await run<{ now: Date | string }>(tx, 'select now() as now');
      const balances = await run<{ user_id: string; balance: string }>(
        tx,
        `select user_id, sum(amount)::text as balance
           from ledger.balance
          where user_id is not null and asset = ?
          group by user_id
         having sum(amount) > 0`,
        [asset],
      );
      const leaves = balances
        .map((b) => {
          const nonce = newNonce();
          const hashed = userHash(b.user_id, nonce);
          return { userId: b.user_id, nonce, userHash: hashed, balance: BigInt(b.balance) };
        })
        .sort((a, b) => Buffer.compare(a.userHash, b.userHash));
      const levels = buildLevels(leaves.map((l) => leafNode(l.userHash, l.balance)));
      const root = levels.length ? levels[levels.length - 1]![0]! : null;
      const snapshot: ReserveSnapshotRecord = {
        id: newId('rsv'),
        asset,
        takenAt: timestamp(now!.now),
        // The empty tree's root is the hash of nothing (SHA-256 of zero bytes) with sum 0.
        rootHash: root ? root.hash.toString('hex') : 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        total: root ? root.sum : 0n,
        leafCount: leaves.length,
      };
      await run(
        tx,
        `insert into ledger.reserve_snapshot (id, asset, taken_at, root_hash, total, leaf_count, published_by)
         values (?, ?, ?, ?, ?, ?, ?)`,
        [snapshot.id, asset, snapshot.takenAt, snapshot.rootHash, snapshot.total.toString(), leaves.length, actor],
      );
      for (let i = 0; i < leaves.length; i += INSERT_CHUNK) {
        const chunk = leaves.slice(i, i + INSERT_CHUNK);
        await run(
          tx,
          `insert into ledger.reserve_leaf (snapshot_id, user_id, position, nonce, balance)
           select ?, u, p, n, b::numeric
             from unnest(?::text[], ?::int[], ?::text[], ?::text[]) as t(u, p, n, b)`,
          [
            snapshot.id,
            textArray(chunk.map((l) => l.userId)),
            `{${chunk.map((_, j) => i + j).join(',')}}`,
            textArray(chunk.map((l) => l.nonce)),
            textArray(chunk.map((l) => l.balance.toString())),
          ],
        );
      }
      for (const [level, nodes] of levels.entries()) {
        for (let i = 0; i < nodes.length; i += INSERT_CHUNK) {
          const chunk = nodes.slice(i, i + INSERT_CHUNK);
          await run(
            tx,
            `insert into ledger.reserve_node (snapshot_id, level, position, hash, sum)
             select ?, ?, p, h, s::numeric from unnest(?::int[], ?::text[], ?::text[]) as t(p, h, s)`,
            [
              snapshot.id,
              level,
              `{${chunk.map((_, j) => i + j).join(',')}}`,
              textArray(chunk.map((n) => n.hash.toString('hex'))),
              textArray(chunk.map((n) => n.sum.toString())),
            ],
          );
        }
      }
      this.log.info(
        { snapshotId: snapshot.id, asset, leaves: leaves.length, root: snapshot.rootHash, actor },
        'reserve snapshot published',
      );
      return snapshot;
    });
  }

  /** The latest published snapshot of each asset (public: roots and totals are meant to be seen). */
  async latest(em: EntityManager, assets: readonly string[]): Promise<Map<string, ReserveSnapshotRecord>> {
    const rows = assets.length
      ? await run(
          em,
          `select distinct on (asset) id, asset, taken_at, root_hash, total::text as total, leaf_count
             from ledger.reserve_snapshot where asset = any(?::text[])
            order by asset, taken_at desc, id desc`,
          [textArray(assets)],
        )
      : [];
    return new Map(rows.map((r) => [String(r.asset), snapshotOf(r)]));
  }

  /** The viewer's leaf and path in the latest snapshot of `asset` (or the one named). */
  async proof(
    em: EntityManager,
    viewer: Viewer,
    asset: string,
    snapshotId: string | null,
  ): Promise<ReserveProofRecord> {
    if (!viewer.userId) throw unauthenticated();
    const [symbol] = checkAssets([asset]);
    const snapshot = snapshotId
      ? (
          await run(
            em,
            `select id, asset, taken_at, root_hash, total::text as total, leaf_count
               from ledger.reserve_snapshot where id = ? and asset = ?`,
            [snapshotId, symbol],
          )
        ).map(snapshotOf)[0]
      : (await this.latest(em, [symbol!])).get(symbol!);
    if (!snapshot) throw notFound('Reserve snapshot', snapshotId ?? symbol);
    const [leaf] = await run<{ position: number; nonce: string; balance: string }>(
      em,
      `select position, nonce, balance::text as balance from ledger.reserve_leaf where snapshot_id = ? and user_id = ?`,
      [snapshot.id, viewer.userId],
    );
    if (!leaf) throw notFound(`Your ${symbol} balance in reserve snapshot`, snapshot.id);
    const index = Number(leaf.position);
    const positions = siblingPositions(snapshot.leafCount, index);
    const nodes = positions.length
      ? await run<{ level: number; position: number; hash: string; sum: string }>(
          em,
          `select n.level, n.position, n.hash, n.sum::text as sum
             from ledger.reserve_node n
             join unnest(?::int[], ?::int[]) as w(l, p) on n.level = w.l and n.position = w.p
            where n.snapshot_id = ?`,
          [
            `{${positions.map((p) => p.level).join(',')}}`,
            `{${positions.map((p) => p.position).join(',')}}`,
            snapshot.id,
          ],
        )
      : [];
    const byKey = new Map(nodes.map((n) => [`${n.level}:${n.position}`, n]));
    const path = proofOf(snapshot.leafCount, index, (level, position) => {
      const node = byKey.get(`${level}:${position}`);
      if (!node) throw new Error(`reserve snapshot ${snapshot.id} lacks node ${level}:${position}`);
      return { hash: Buffer.from(node.hash, 'hex'), sum: BigInt(node.sum) };
    });
    const hashed = userHash(viewer.userId, leaf.nonce);
    const balance = BigInt(leaf.balance);
    return {
      snapshot,
      userId: viewer.userId,
      nonce: leaf.nonce,
      userHash: hashed.toString('hex'),
      balance,
      leafHash: leafNode(hashed, balance).hash.toString('hex'),
      leafIndex: index,
      path,
    };
  }
}
