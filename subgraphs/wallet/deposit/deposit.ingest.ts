import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { newId } from '../../../platform/ids.js';
import { bindOnce, type Logger } from '../../../platform/logger.js';
import { parseAmount } from '../../../platform/money/amount.js';
import { ASSETS, type Network } from '../../../platform/money/assets.js';
import type { CursorState, ScannedBlock } from '../../../chains/source.js';
import type { DepositWriter } from '../ports.js';
import {
  DepositEvents,
  WithdrawalFreezeEvents,
  type DepositEventPayload,
  type DepositReorgedPayload,
  type DepositStatus,
  type WithdrawalsFrozenPayload,
} from './deposit.events.js';

const SOURCE = 'wallet';

export interface IngestSettings {
  network: Network;
  /** Confirmations a deposit needs before its credit is requested. */
  confirmations: number;
  /** How many block hashes are kept for reorg detection. */
  reorgWindow: number;
}

/** A deposit row as the ingest sees it. */
export interface DepositRow {
  id: string;
  network: Network;
  asset: string;
  user_id: string;
  wallet_id: string;
  amount: string;
  from_address: string;
  to_address: string;
  tx_hash: string;
  output_index: number;
  block_number: string;
  block_hash: string;
  confirmations: number;
  required_confirmations: number;
  status: DepositStatus;
  /** As the driver returns it (an ISO string from raw queries). */
  confirmed_at: Date | string | null;
  confirm_event_id: string | null;
  transaction_id: string | null;
}

export type IngestOutcome =
  | { applied: false }
  | {
      applied: true;
      tip: CursorState;
      /** New deposits to our addresses, by status (DETECTED or IGNORED). */
      detected: DepositRow[];
      ignored: DepositRow[];
      /** REORGED deposits whose transaction came back in a canonical block before any credit: detected again. */
      revived: DepositRow[];
      /** Deposits that reached their confirmations in this batch: credit requested. */
      confirmed: DepositRow[];
    };

export type RollbackOutcome = { applied: false } | { applied: true; reorged: DepositRow[]; afterCredit: DepositRow[] };

const PENDING = `('DETECTED', 'CONFIRMING')`;

/** Minimum deposit per asset of one network, in minor units (below it: IGNORED). */
function minimumDeposits(network: Network): Map<string, bigint> {
  return new Map(
    ASSETS.filter((a) => a.network === network).map(
      (a) => [a.symbol, parseAmount(a.minDeposit, a.decimals, 'minDeposit')] as const,
    ),
  );
}

export function payloadOf(row: DepositRow): DepositEventPayload {
  return {
    depositId: row.id,
    userId: row.user_id,
    network: row.network,
    asset: row.asset,
    amount: row.amount,
    txHash: row.tx_hash,
    outputIndex: row.output_index,
    status: row.status,
  };
}

/** The columns of a `DepositRow`, as a select list of wallet.deposit. */
export const DEPOSIT_COLUMNS = `id, network, asset, user_id, wallet_id, amount::text as amount, from_address, to_address, tx_hash, output_index,
  block_number::text as block_number, block_hash, confirmations, required_confirmations, status, confirmed_at, confirm_event_id, transaction_id`;
const D_COLUMNS = DEPOSIT_COLUMNS.split(',')
  .map((c) => `d.${c.trim()}`)
  .join(', ');

/**
 * The watchers' side of the deposit lifecycle, one network per instance. Every method is one database
 * transaction that first locks the network's cursor row and checks it is where the caller read it: two
 * watcher instances racing on one chain serialize there, and the loser's batch is dropped whole, so a
 * block is ingested once and each status change (and its outbox event) happens once.
 */
export class DepositIngest implements DepositWriter {
  private readonly minimums: Map<string, bigint>;

  private readonly log: Logger;

  constructor(
    readonly settings: IngestSettings,
    log: Logger,
  ) {
    this.minimums = minimumDeposits(settings.network);
    this.log = bindOnce(log, { network: settings.network });
  }

  get network(): Network {
    return this.settings.network;
  }

  async cursor(em: EntityManager): Promise<CursorState | null> {
    const [row] = await em.execute<{ height: string; block_hash: string }[]>(
      `select height::text as height, block_hash from wallet.chain_cursor where network = ?`,
      [this.network],
    );
    return row ? { height: BigInt(row.height), hash: row.block_hash } : null;
  }

  /** First start: the cursor at `start` (the block before the first one to scan). Another instance may have won: returns what is stored. */
  async initCursor(em: EntityManager, start: CursorState, parentHash: string): Promise<CursorState> {
    await em.transactional(async (tx) => {
      const inserted = await tx.execute<{ network: string }[]>(
        `insert into wallet.chain_cursor (network, height, block_hash) values (?, ?, ?) on conflict (network) do nothing returning network`,
        [this.network, start.height.toString(), start.hash],
      );
      if (inserted.length) {
        await tx.execute(
          `insert into wallet.chain_block (network, height, hash, parent_hash, transactions) values (?, ?, ?, ?, 0) on conflict (network, height) do nothing`,
          [this.network, start.height.toString(), start.hash, parentHash],
        );
        this.log.info({ height: start.height.toString(), hash: start.hash }, 'chain cursor initialized');
      }
    });
    const stored = await this.cursor(em);
    if (!stored) throw new Error(`chain cursor of ${this.network} vanished`);
    return stored;
  }

  /** Stored block hashes in [from, to], by height. */
  async storedHashes(em: EntityManager, from: bigint, to: bigint): Promise<Map<bigint, string>> {
    const rows = await em.execute<{ height: string; hash: string }[]>(
      `select height::text as height, hash from wallet.chain_block where network = ? and height between ? and ? order by height`,
      [this.network, from.toString(), to.toString()],
    );
    return new Map(rows.map((r) => [BigInt(r.height), r.hash] as const));
  }

  /**
   * Ingests blocks that extend the cursor (the caller checked their parent links): records deposits to our
   * addresses, stores the block hashes, advances the cursor, updates confirmations and requests the credit of
   * every deposit that reached its required confirmations, with an outbox event for each status change.
   */
  async ingest(em: EntityManager, expected: CursorState, blocks: readonly ScannedBlock[]): Promise<IngestOutcome> {
    const tip = blocks.at(-1);
    if (!tip) return { applied: false };
    return em.transactional(async (tx): Promise<IngestOutcome> => {
      if (!(await this.lockCursor(tx, expected))) return { applied: false };
      const tipState = { height: tip.height, hash: tip.hash };

      // Which recipients are ours: one indexed query, read after the blocks were fetched, so a wallet created
      // before a deposit to it was mined is always seen.
      const recipients = [...new Set(blocks.flatMap((b) => b.transfers.map((t) => t.to)))];
      const wallets = recipients.length
        ? await tx.execute<{ id: string; user_id: string; address: string }[]>(
            `select id, user_id, address from wallet.wallet where network = ? and address in (select json_array_elements_text(?::json))`,
            [this.network, JSON.stringify(recipients)],
          )
        : [];
      const ours = new Map(wallets.map((w) => [w.address, w] as const));
      const minimums = wallets.length ? await this.currentMinimums(tx) : this.minimums;
      const candidates: DepositRow[] = [];
      for (const block of blocks) {
        for (const t of block.transfers) {
          const wallet = ours.get(t.to);
          if (!wallet || t.amount <= 0n) continue;
          const minimum = minimums.get(t.asset);
          if (minimum === undefined) throw new Error(`${t.asset} is not an asset of ${this.network}`);
          candidates.push({
            id: newId('dep'),
            network: this.network,
            asset: t.asset,
            user_id: wallet.user_id,
            wallet_id: wallet.id,
            amount: t.amount.toString(),
            from_address: t.from,
            to_address: t.to,
            tx_hash: t.txHash,
            output_index: t.outputIndex,
            block_number: block.height.toString(),
            block_hash: block.hash,
            confirmations: Number(tip.height - block.height + 1n),
            required_confirmations: this.settings.confirmations,
            status: t.amount < minimum ? 'IGNORED' : 'DETECTED',
            confirmed_at: null,
            confirm_event_id: null,
            transaction_id: null,
          });
        }
      }

      const detected: DepositRow[] = [];
      const ignored: DepositRow[] = [];
      const revived: DepositRow[] = [];
      // A credited (or credit-requested) deposit reorged away whose transaction is back on chain: not re-credited (alert below).
      const reappeared: DepositRow[] = [];
      if (candidates.length) {
        const inserted = await tx.execute<DepositRow[]>(
          `insert into wallet.deposit (id, network, asset, user_id, wallet_id, amount, from_address, to_address, tx_hash, output_index,
             block_number, block_hash, confirmations, required_confirmations, status)
           select x.id, x.network, x.asset, x.user_id, x.wallet_id, x.amount::numeric, x.from_address, x.to_address, x.tx_hash, x.output_index,
             x.block_number::bigint, x.block_hash, x.confirmations, x.required_confirmations, x.status
           from json_to_recordset(?::json) as x(id text, network text, asset text, user_id text, wallet_id text, amount text, from_address text,
             to_address text, tx_hash text, output_index int, block_number text, block_hash text, confirmations int, required_confirmations int, status text)
           on conflict (network, tx_hash, output_index) do nothing
           returning ${DEPOSIT_COLUMNS}`,
          [JSON.stringify(candidates)],
        );
        for (const row of inserted) (row.status === 'IGNORED' ? ignored : detected).push(row);
        const insertedIds = new Set(inserted.map((r) => r.id));
        const known = candidates.filter((c) => !insertedIds.has(c.id));
        if (known.length) {
          // Back on the canonical chain after a reorg: a deposit never sent for credit is detected again in its new block.
          const again = await tx.execute<DepositRow[]>(
            `update wallet.deposit d set status = x.status, block_number = x.block_number::bigint, block_hash = x.block_hash,
               confirmations = x.confirmations, reorged_at = null, updated_at = now()
             from json_to_recordset(?::json) as x(tx_hash text, output_index int, block_number text, block_hash text, confirmations int, status text)
             where d.network = ? and d.tx_hash = x.tx_hash and d.output_index = x.output_index and d.status = 'REORGED' and d.confirm_event_id is null
             returning ${D_COLUMNS}`,
            [JSON.stringify(known), this.network],
          );
          revived.push(...again);
          const revivedKeys = new Set(again.map((r) => `${r.tx_hash}:${r.output_index}`));
          const others = known.filter((k) => !revivedKeys.has(`${k.tx_hash}:${k.output_index}`));
          if (others.length) {
            const rows = await tx.execute<DepositRow[]>(
              `select ${D_COLUMNS} from wallet.deposit d join json_to_recordset(?::json) as x(tx_hash text, output_index int)
                 on d.tx_hash = x.tx_hash and d.output_index = x.output_index where d.network = ?`,
              [JSON.stringify(others.map((o) => ({ tx_hash: o.tx_hash, output_index: o.output_index }))), this.network],
            );
            for (const row of rows) {
              if (row.status === 'REORGED') reappeared.push(row);
              else this.log.debug({ depositId: row.id, status: row.status }, 'deposit already recorded');
            }
          }
        }
      }

      await tx.execute(
        `insert into wallet.chain_block (network, height, hash, parent_hash, transactions)
         select ?, x.height::bigint, x.hash, x.parent_hash, x.transactions from json_to_recordset(?::json) as x(height text, hash text, parent_hash text, transactions int)
         on conflict (network, height) do update set hash = excluded.hash, parent_hash = excluded.parent_hash, transactions = excluded.transactions, scanned_at = now()`,
        [
          this.network,
          JSON.stringify(
            blocks.map((b) => ({
              height: b.height.toString(),
              hash: b.hash,
              parent_hash: b.parentHash,
              transactions: b.transactions,
            })),
          ),
        ],
      );
      await tx.execute(
        `update wallet.chain_cursor set height = ?, block_hash = ?, updated_at = now() where network = ?`,
        [tip.height.toString(), tip.hash, this.network],
      );
      await tx.execute(`delete from wallet.chain_block where network = ? and height < ?`, [
        this.network,
        (tip.height - BigInt(this.settings.reorgWindow)).toString(),
      ]);

      // Confirmations of every pending deposit, from the linked tip (not from whatever head a node claims).
      const pending = await tx.execute<DepositRow[]>(
        `update wallet.deposit set confirmations = least(? - block_number + 1, 2147483647)::int, updated_at = now()
         where network = ? and status in ${PENDING} and block_number <= ? returning ${DEPOSIT_COLUMNS}`,
        [tip.height.toString(), this.network, tip.height.toString()],
      );
      for (const row of [...detected, ...revived])
        recordEvent<DepositEventPayload>(tx, DepositEvents.detected, SOURCE, payloadOf(row));
      for (const row of ignored) recordEvent<DepositEventPayload>(tx, DepositEvents.ignored, SOURCE, payloadOf(row));

      const confirmed: DepositRow[] = [];
      const confirming: DepositRow[] = [];
      for (const row of pending) {
        if (row.confirm_event_id === null && row.confirmations >= row.required_confirmations) confirmed.push(row);
        else if (row.status === 'DETECTED' && row.confirmations >= 2) confirming.push(row);
      }
      const changes: { id: string; status: DepositStatus; confirm_event_id: string | null }[] = [];
      for (const row of confirmed) {
        row.status = 'CONFIRMING';
        const event = recordEvent<DepositEventPayload>(tx, DepositEvents.confirmed, SOURCE, payloadOf(row));
        row.confirm_event_id = event.id;
        changes.push({ id: row.id, status: 'CONFIRMING', confirm_event_id: event.id });
      }
      for (const row of confirming) {
        row.status = 'CONFIRMING';
        recordEvent<DepositEventPayload>(tx, DepositEvents.confirming, SOURCE, payloadOf(row));
        changes.push({ id: row.id, status: 'CONFIRMING', confirm_event_id: null });
      }
      if (changes.length) {
        await tx.execute(
          `update wallet.deposit d set status = x.status,
             confirm_event_id = coalesce(x.confirm_event_id, d.confirm_event_id),
             confirmed_at = case when x.confirm_event_id is not null then now() else d.confirmed_at end,
             updated_at = now()
           from json_to_recordset(?::json) as x(id text, status text, confirm_event_id text)
           where d.id = x.id`,
          [JSON.stringify(changes)],
        );
      }
      for (const row of reappeared) {
        this.log.error(
          {
            depositId: row.id,
            userId: row.user_id,
            txHash: row.tx_hash,
            outputIndex: row.output_index,
            confirmEventId: row.confirm_event_id,
          },
          'ADMIN ALERT: a reorged deposit that had been sent for credit is back on chain: not credited again, needs review',
        );
      }
      return { applied: true, tip: tipState, detected, ignored, revived, confirmed };
    });
  }

  /**
   * A reorg: blocks above `fork` left the canonical chain. Their pending and credited deposits become
   * REORGED (event each; the ledger reverses any credit it posted). A user whose deposit had been sent for
   * credit has withdrawals frozen (event) and an admin alert is logged. The cursor moves back to the fork,
   * or, with `resetTo` (the endpoint serves another chain, devnet only), to a new start on the new chain: then the
   * dead chain's deposits never sent for credit (any height) become REORGED, and credits already requested stand
   * (no reversal, no freeze: the chain they were made on was not reorganized, it is gone).
   */
  async rollback(
    em: EntityManager,
    expected: CursorState,
    fork: { height: bigint },
    resetTo?: { cursor: CursorState; parentHash: string },
  ): Promise<RollbackOutcome> {
    return em.transactional(async (tx): Promise<RollbackOutcome> => {
      if (!(await this.lockCursor(tx, expected))) return { applied: false };
      const [forkBlock] = await tx.execute<{ hash: string }[]>(
        `select hash from wallet.chain_block where network = ? and height = ?`,
        [this.network, fork.height.toString()],
      );
      if (!resetTo && !forkBlock) throw new Error(`no stored block at fork height ${fork.height} of ${this.network}`);
      const reorged = await tx.execute<DepositRow[]>(
        resetTo
          ? `update wallet.deposit set status = 'REORGED', reorged_at = now(), updated_at = now()
             where network = ? and status in ('DETECTED', 'CONFIRMING') and confirm_event_id is null
             returning ${DEPOSIT_COLUMNS}`
          : `update wallet.deposit set status = 'REORGED', reorged_at = now(), updated_at = now()
             where network = ? and block_number > ? and status in ('DETECTED', 'CONFIRMING', 'CREDITED')
             returning ${DEPOSIT_COLUMNS}`,
        resetTo ? [this.network] : [this.network, fork.height.toString()],
      );
      const afterCredit: DepositRow[] = [];
      for (const row of reorged) {
        recordEvent<DepositReorgedPayload>(tx, DepositEvents.reorged, SOURCE, {
          ...payloadOf(row),
          confirmEventId: row.confirm_event_id,
          transactionId: row.transaction_id,
        });
        if (row.confirm_event_id === null) continue;
        afterCredit.push(row);
        const reason = `deposit ${row.id} (${row.asset} ${row.tx_hash}:${row.output_index}) was reorged away after its credit was requested`;
        const frozen = await tx.execute<{ user_id: string }[]>(
          `insert into wallet.withdrawal_freeze (user_id, reason, deposit_id) values (?, ?, ?) on conflict (deposit_id) where deposit_id is not null do nothing returning user_id`,
          [row.user_id, reason, row.id],
        );
        if (frozen.length) {
          recordEvent<WithdrawalsFrozenPayload>(tx, WithdrawalFreezeEvents.frozen, SOURCE, {
            userId: row.user_id,
            reason,
            depositId: row.id,
          });
        }
        this.log.error(
          {
            depositId: row.id,
            userId: row.user_id,
            asset: row.asset,
            amount: row.amount,
            txHash: row.tx_hash,
            transactionId: row.transaction_id,
          },
          'ADMIN ALERT: a deposit sent for credit was reorged away: reversal requested, withdrawals frozen',
        );
      }
      if (resetTo) {
        await tx.execute(`delete from wallet.chain_block where network = ?`, [this.network]);
        await tx.execute(
          `insert into wallet.chain_block (network, height, hash, parent_hash, transactions) values (?, ?, ?, ?, 0)`,
          [this.network, resetTo.cursor.height.toString(), resetTo.cursor.hash, resetTo.parentHash],
        );
        await tx.execute(
          `update wallet.chain_cursor set height = ?, block_hash = ?, updated_at = now() where network = ?`,
          [resetTo.cursor.height.toString(), resetTo.cursor.hash, this.network],
        );
      } else {
        await tx.execute(`delete from wallet.chain_block where network = ? and height > ?`, [
          this.network,
          fork.height.toString(),
        ]);
        await tx.execute(
          `update wallet.chain_cursor set height = ?, block_hash = ?, updated_at = now() where network = ?`,
          [fork.height.toString(), forkBlock!.hash, this.network],
        );
      }
      return { applied: true, reorged, afterCredit };
    });
  }

  /** Locks the cursor row; false when it is not where the caller read it (another instance moved it). */
  /**
   * The network's minimum deposits as staff set them in the market (`wallet.asset_minimum`, kept from
   * `market.asset.updated`), the catalogue's where staff never changed one. Read in the ingest transaction.
   */
  private async currentMinimums(tx: EntityManager): Promise<Map<string, bigint>> {
    const rows = await tx.execute<{ symbol: string; min_deposit: string }[]>(
      `select symbol, min_deposit::text as min_deposit from wallet.asset_minimum where symbol in (select json_array_elements_text(?::json))`,
      [JSON.stringify([...this.minimums.keys()])],
    );
    if (!rows.length) return this.minimums;
    const current = new Map(this.minimums);
    for (const row of rows) current.set(row.symbol, BigInt(row.min_deposit));
    return current;
  }

  private async lockCursor(tx: EntityManager, expected: CursorState): Promise<boolean> {
    const [row] = await tx.execute<{ height: string; block_hash: string }[]>(
      `select height::text as height, block_hash from wallet.chain_cursor where network = ? for update`,
      [this.network],
    );
    return !!row && BigInt(row.height) === expected.height && row.block_hash === expected.hash;
  }
}
