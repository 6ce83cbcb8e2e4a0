import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { SealedSecret } from '../custody/index.js';

export type HdRootStatus = 'ACTIVE' | 'RETIRED';
export type HdRootOrigin = 'GENERATED' | 'IMPORTED';

/**
 * A custody root: a BIP39 phrase held only as envelope ciphertext (AES-256-GCM under a random data
 * key, the data key wrapped by a configured master key). The phrase ciphertext is bound to this row
 * by its associated data (`rootAad(id)`). One root is ACTIVE (new wallets derive from it); a RETIRED
 * root is kept because the wallets derived from it still hold funds.
 */
@Entity({ tableName: 'hd_root' })
export class HdRoot implements SealedSecret {
  [OptionalProps]?: 'createdAt' | 'rewrappedAt' | 'retiredAt';

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  status!: HdRootStatus;

  @Property({ type: 'text' })
  origin!: HdRootOrigin;

  /** BIP32 master fingerprint, 8 hex digits: names the root, reveals nothing. */
  @Property({ type: 'text' })
  fingerprint!: string;

  @Property({ type: 'smallint' })
  wordCount!: number;

  @Property({ type: 'text' })
  ciphertext!: string;

  @Property({ type: 'text' })
  iv!: string;

  @Property({ type: 'text' })
  authTag!: string;

  @Property({ type: 'text' })
  wrappedDataKey!: string;

  @Property({ type: 'text' })
  wrapIv!: string;

  @Property({ type: 'text' })
  wrapTag!: string;

  @Property({ type: 'text' })
  masterKeyId!: string;

  @Property({ type: 'text' })
  masterKeyCheck!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  rewrappedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;
}

/** The associated data binding a root's ciphertext to its row. */
export function rootAad(rootId: string): string {
  return `wallet.hd_root:${rootId}`;
}

/** The envelope fields of a stored root. */
export function sealedOf(root: HdRoot): SealedSecret {
  const { ciphertext, iv, authTag, wrappedDataKey, wrapIv, wrapTag, masterKeyId, masterKeyCheck } = root;
  return { ciphertext, iv, authTag, wrappedDataKey, wrapIv, wrapTag, masterKeyId, masterKeyCheck };
}
