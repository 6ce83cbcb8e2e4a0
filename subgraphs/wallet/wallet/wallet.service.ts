import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { badInput, forbidden, notFound, unauthenticated } from '../../../platform/errors.js';
import { isId, newId } from '../../../platform/ids.js';
import { derivationPath, deriveAddress } from '../custody/index.js';
import { isNetwork, type Network } from '../../../chains/network.js';
import { validateAddress } from '../../../chains/address.js';
import type { CustodyVault } from '../custody-root/custody-vault.js';
import { WalletEvents, type WalletCreatedPayload } from './wallet.events.js';
import { Wallet } from './wallet.entity.js';

const SOURCE = 'wallet';
const LABEL_MAX = 64;
/** Roles that may read a wallet's derivation path (custody internals). */
export const DERIVATION_PATH_ROLES = ['ADMIN', 'SUPERADMIN'] as const;

export interface WalletServiceOptions {
  maxWalletsPerNetwork: number;
  /** Told of each wallet (deposit address) created, once its transaction committed: `wallets_created_total`. */
  onCreated?: (network: Network) => void;
}

function viewerId(viewer: Viewer): string {
  if (!viewer.userId) throw unauthenticated();
  return viewer.userId;
}

function requireNetwork(network: string): Network {
  if (!isNetwork(network)) throw badInput(`Unknown network ${JSON.stringify(network)}`, { field: 'network' });
  return network;
}

/** Trimmed label, or null; refuses overlong labels and control or bidi-override characters. */
export function cleanLabel(label: string | null | undefined): string | null {
  if (label == null) return null;
  const text = label.normalize('NFC').trim();
  if (text === '') return null;
  if ([...text].length > LABEL_MAX) throw badInput(`label is at most ${LABEL_MAX} characters`, { field: 'label' });
  if (/[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]/u.test(text))
    throw badInput('label contains control characters', { field: 'label' });
  return text;
}

/**
 * Wallets: one custody index per user, deposit addresses created on first ask, further wallets,
 * the default per network. Creation for a user is serialized by a transaction-scoped advisory lock
 * on that user, and the unique indexes (one primary and one default per user and network, one wallet
 * per address and per (root, network, index)) with ON CONFLICT make it race-free across processes.
 */
export class WalletService {
  constructor(
    private readonly vault: CustodyVault,
    private readonly options: WalletServiceOptions,
  ) {}

  /** The viewer is that user, or staff. */
  assertCanSeeUser(viewer: Viewer, userId: string): void {
    if (viewerId(viewer) !== userId && !isStaff(viewer))
      throw forbidden("Only the user and staff can see this user's wallets");
  }

  /** Every user's wallets, oldest first, in one query (the caller checked access). */
  async walletsOfUsers(em: EntityManager, userIds: readonly string[]): Promise<Wallet[][]> {
    const rows = await em.find(Wallet, { userId: { $in: [...userIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return userIds.map((id) => rows.filter((w) => w.userId === id));
  }

  /** The user's default wallet on `network`, created (at the user's custody index) on first ask. */
  async depositAddress(em: EntityManager, viewer: Viewer, userId: string, networkName: string): Promise<Wallet> {
    this.assertCanSeeUser(viewer, userId);
    const network = requireNetwork(networkName);
    const existing = await em.findOne(Wallet, { userId, network, isDefault: true });
    return existing ?? this.create(em, userId, network, null, 'default-if-absent');
  }

  /**
   * A new wallet for the viewer. The first on a network sits at the user's custody index and becomes
   * the default; a further one takes a fresh index from the same sequence (see README: "More than
   * one wallet per network").
   */
  async createWallet(
    em: EntityManager,
    viewer: Viewer,
    networkName: string,
    label: string | null | undefined,
  ): Promise<Wallet> {
    const userId = viewerId(viewer);
    return this.create(em, userId, requireNetwork(networkName), cleanLabel(label), 'new');
  }

  /** Makes one of the viewer's wallets the default of its network (idempotent). */
  async setDefault(em: EntityManager, viewer: Viewer, walletId: string): Promise<Wallet> {
    const userId = viewerId(viewer);
    if (!isId('wal', walletId)) throw badInput('id is not a wallet id', { field: 'id' });
    return em.transactional(async (tx) => {
      const wallet = await tx.findOne(Wallet, { id: walletId }, { refresh: true });
      if (!wallet) throw notFound('Wallet', walletId);
      if (wallet.userId !== userId) throw forbidden('This wallet belongs to another user');
      await this.lockUser(tx, userId);
      const [current] = await tx.execute<Record<string, unknown>[]>(`select * from "wallet"."wallet" where "id" = ?`, [
        walletId,
      ]);
      if (current?.is_default === true) return tx.map(Wallet, current);
      await tx.execute(
        `update "wallet"."wallet" set "is_default" = false where "user_id" = ? and "network" = ? and "is_default"`,
        [userId, wallet.network],
      );
      const [updated] = await tx.execute<Record<string, unknown>[]>(
        `update "wallet"."wallet" set "is_default" = true where "id" = ? returning *`,
        [walletId],
      );
      return tx.map(Wallet, updated!);
    });
  }

  /** Wallet references: a wallet the viewer may not see resolves to null. */
  async visibleByIds(em: EntityManager, viewer: Viewer, ids: readonly string[]): Promise<Wallet[]> {
    const wanted = ids.filter((id) => isId('wal', id));
    if (wanted.length === 0) return [];
    const rows = await em.find(Wallet, { id: { $in: wanted } });
    return rows.filter((w) => w.userId === viewer.userId || isStaff(viewer));
  }

  /** Staff: which wallet an address is. A malformed or wrong-checksum address is BAD_USER_INPUT. */
  async byAddress(em: EntityManager, viewer: Viewer, networkName: string, address: string): Promise<Wallet | null> {
    viewerId(viewer);
    if (!isStaff(viewer)) throw forbidden('Staff only');
    const network = requireNetwork(networkName);
    const check = validateAddress(network, address);
    if (!check.valid || check.normalized === null)
      throw badInput(`Not a valid ${network} address: ${check.reason ?? 'invalid'}`, { field: 'address' });
    return em.findOne(Wallet, { network, address: check.normalized });
  }

  /** Admins only: the BIP44 / SLIP-0010 path of the wallet's key. */
  derivationPathOf(viewer: Viewer, wallet: Pick<Wallet, 'network' | 'custodyIndex'>): string {
    viewerId(viewer);
    if (!hasRole(viewer, ...DERIVATION_PATH_ROLES)) throw forbidden('Admins only');
    return derivationPath(wallet.network, wallet.custodyIndex);
  }

  private async create(
    em: EntityManager,
    userId: string,
    network: Network,
    label: string | null,
    mode: 'default-if-absent' | 'new',
  ): Promise<Wallet> {
    const { wallet, created } = await em.transactional(async (tx) => {
      await this.lockUser(tx, userId);
      const userIndex = await this.custodyIndexOf(tx, userId);
      const onNetwork = await tx.find(Wallet, { userId, network }, { refresh: true });
      const currentDefault = onNetwork.find((w) => w.isDefault);
      if (mode === 'default-if-absent' && currentDefault) return { wallet: currentDefault, created: false };
      const limit = this.options.maxWalletsPerNetwork;
      if (onNetwork.length >= limit)
        throw badInput(`At most ${limit} wallets per network`, { field: 'network', limit });
      const isPrimary = !onNetwork.some((w) => w.isPrimary);
      const index = isPrimary ? userIndex : await this.freshIndex(tx);
      const root = await this.vault.activeRoot(tx);
      const address = await this.vault.withSeed(root, (seed) => deriveAddress(seed, network, index));
      const id = newId('wal');
      const inserted = await tx.execute<Record<string, unknown>[]>(
        `insert into "wallet"."wallet" ("id", "user_id", "network", "root_id", "custody_index", "address", "label", "is_primary", "is_default")
         values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning *`,
        [id, userId, network, root.id, index, address, label, isPrimary, !currentDefault],
      );
      if (inserted.length === 0)
        throw new Error(
          `wallet ${network} #${index} of ${userId} conflicts with an existing wallet under the user lock`,
        );
      const wallet = tx.map(Wallet, inserted[0]!);
      recordEvent<WalletCreatedPayload>(tx, WalletEvents.walletCreated, SOURCE, {
        walletId: id,
        userId,
        network,
        address,
        isDefault: wallet.isDefault,
      });
      return { wallet, created: true };
    });
    if (created) this.options.onCreated?.(network);
    return wallet;
  }

  /** Serializes wallet changes of one user across processes until the transaction ends. */
  private async lockUser(tx: EntityManager, userId: string): Promise<void> {
    await tx.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`wallet.custody_account:${userId}`]);
  }

  /** The user's custody index, allocated on first use (under the user lock, so the sequence never skips for a race). */
  private async custodyIndexOf(tx: EntityManager, userId: string): Promise<number> {
    const [row] = await tx.execute<{ custody_index: number }[]>(
      `with created as (
         insert into "wallet"."custody_account" ("user_id") select ? where not exists (select 1 from "wallet"."custody_account" where "user_id" = ?)
         on conflict do nothing returning "custody_index")
       select "custody_index" from created union all select "custody_index" from "wallet"."custody_account" where "user_id" = ?`,
      [userId, userId, userId],
    );
    if (!row) throw new Error(`no custody index for ${userId}`);
    return row.custody_index;
  }

  private async freshIndex(tx: EntityManager): Promise<number> {
    const [row] = await tx.execute<{ index: number }[]>(
      `select nextval('"wallet"."custody_index_seq"')::integer as "index"`,
    );
    return row!.index;
  }
}
