import type { EntityManager } from '@mikro-orm/postgresql';
import type { Network } from '../../../chains/network.js';
import type { CustodyVault } from '../custody-root/custody-vault.js';
import { HdRoot } from '../custody-root/hd-root.entity.js';
import { deriveAddress, type CustodyBranch } from '../custody/index.js';
import type { PayoutSource } from './payout.port.js';

/** The hot wallet's index in the hot branch (further indexes are reserved for rotation). */
export const HOT_WALLET_INDEX = 0;

/** Where a payout's key sits: (branch, index) under one custody root. */
export interface PayoutKey {
  branch: CustodyBranch;
  index: number;
}

export function payoutKeyOf(source: PayoutSource): PayoutKey {
  if (source.kind === 'hot') return { branch: 'hot', index: HOT_WALLET_INDEX };
  if (source.kind === 'deposit') return { branch: 'deposit', index: source.index };
  throw new RangeError(`unknown payout source ${JSON.stringify(source)}`);
}

/**
 * Opens custody seeds for payouts through the wallet's `CustodyVault`, as the wallet subgraph does for deposit
 * addresses: the hot wallet derives from the active root; a deposit index from the root its wallet row was created
 * under (a retired root keeps signing for the addresses it made), or the active root when the index has no wallet
 * on that network. The seed exists only inside `withSeed`.
 */
export class PayoutKeys {
  private readonly addresses = new Map<string, string>();

  constructor(
    private readonly vault: CustodyVault,
    private readonly em: () => EntityManager,
  ) {}

  async withSeed<T>(
    network: Network,
    source: PayoutSource,
    fn: (seed: Uint8Array, key: PayoutKey) => T | Promise<T>,
  ): Promise<T> {
    const key = payoutKeyOf(source);
    const root = await this.rootOf(network, key);
    return this.vault.withSeed(root, (seed) => fn(seed, key));
  }

  /** The sending address of `source` (public: cached per root). */
  async address(network: Network, source: PayoutSource): Promise<string> {
    const key = payoutKeyOf(source);
    const root = await this.rootOf(network, key);
    const cacheKey = `${root.id}:${network}:${key.branch}:${key.index}`;
    const cached = this.addresses.get(cacheKey);
    if (cached) return cached;
    const address = await this.vault.withSeed(root, (seed) => deriveAddress(seed, network, key.index, key.branch));
    this.addresses.set(cacheKey, address);
    return address;
  }

  private async rootOf(network: Network, key: PayoutKey): Promise<HdRoot> {
    const em = this.em();
    if (key.branch === 'deposit') {
      const rows = await em.execute<{ root_id: string }[]>(
        `select "root_id" from "wallet"."wallet" where "network" = ? and "custody_index" = ? limit 1`,
        [network, key.index],
      );
      if (rows[0]) return em.findOneOrFail(HdRoot, { id: rows[0].root_id });
    }
    return this.vault.activeRoot(em);
  }
}
