import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { Network } from '../../../chains/network.js';

/**
 * One deposit address of one user on one network: the key at (root, network, custody index).
 * The first wallet of a user on a network (`isPrimary`) sits at the user's own custody index; a further
 * wallet on that network takes a fresh index from the same sequence. Exactly one wallet per user and
 * network is the default (what `depositAddress` returns).
 */
@Entity({ tableName: 'wallet' })
export class Wallet {
  [OptionalProps]?: 'createdAt' | 'label';

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  network!: Network;

  @Property({ type: 'text' })
  rootId!: string;

  @Property({ type: 'integer' })
  custodyIndex!: number;

  @Property({ type: 'text' })
  address!: string;

  @Property({ type: 'text', nullable: true })
  label: string | null = null;

  @Property({ type: 'boolean' })
  isPrimary!: boolean;

  @Property({ type: 'boolean' })
  isDefault!: boolean;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
