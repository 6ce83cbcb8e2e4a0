import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { amountText } from '../transaction/transaction.type.js';
import type { ReserveProofRecord, ReserveSnapshotRecord } from './reserve.service.js';

export enum ReserveProofSide {
  LEFT = 'LEFT',
  RIGHT = 'RIGHT',
}
registerEnumType(ReserveProofSide, {
  name: 'ReserveProofSide',
  description: 'Where a sibling sits: LEFT = hash(sibling, running node), RIGHT = hash(running node, sibling).',
});

@ObjectType('ReserveSnapshot', {
  description:
    'A published proof-of-reserves root: a Merkle sum tree over (user hash, balance) of one asset at one point in time (leaf format in the ledger README).',
})
export class ReserveSnapshotType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Catalogue symbol.' })
  asset!: string;

  @Field(() => Date, { description: 'The instant the balances were read.' })
  takenAt!: Date;

  @Field(() => String, { description: 'Root hash, 64 lower-case hex characters.' })
  root!: string;

  @Field(() => AmountScalar, { description: 'The root’s sum: every user’s balance of the asset, in its unit.' })
  total!: string;

  @Field(() => String, {
    description: 'The root’s sum as an integer in the asset’s minor unit (what the tree hashes).',
  })
  totalUnits!: string;

  @Field(() => Int, { description: 'Users (leaves) in the tree.' })
  leafCount!: number;

  static from(s: ReserveSnapshotRecord): ReserveSnapshotType {
    return Object.assign(new ReserveSnapshotType(), {
      id: s.id,
      asset: s.asset,
      takenAt: s.takenAt,
      root: s.rootHash,
      total: amountText(s.asset, s.total),
      totalUnits: s.total.toString(),
      leafCount: s.leafCount,
    });
  }
}

@ObjectType('ReserveProofStep')
export class ReserveProofStepType {
  @Field(() => ReserveProofSide)
  side!: ReserveProofSide;

  @Field(() => String, { description: 'The sibling’s hash, hex.' })
  hash!: string;

  @Field(() => String, { description: 'The sibling’s sum, an integer in the asset’s minor unit.' })
  sumUnits!: string;
}

@ObjectType('ReserveProof', {
  description:
    'Your leaf in a published reserve snapshot and the path to its root: recompute userHash from your user id and the nonce, the leaf from userHash and balanceUnits, then fold the path; the result must equal snapshot.root and snapshot.totalUnits.',
})
export class ReserveProofType {
  @Field(() => ReserveSnapshotType)
  snapshot!: ReserveSnapshotType;

  @Field(() => ID)
  userId!: string;

  @Field(() => String, { description: '16 random bytes (hex) drawn for this leaf only.' })
  nonce!: string;

  @Field(() => String, { description: 'SHA-256("por:v1:" + userId + ":" + nonce), hex.' })
  userHash!: string;

  @Field(() => AmountScalar, { description: 'Your available + held balance at takenAt.' })
  balance!: string;

  @Field(() => String, { description: 'The same balance as an integer in the asset’s minor unit.' })
  balanceUnits!: string;

  @Field(() => String)
  leafHash!: string;

  @Field(() => Int, { description: 'Position of the leaf (leaves are ordered by userHash).' })
  leafIndex!: number;

  @Field(() => [ReserveProofStepType], { description: 'Siblings from the leaf up to the root.' })
  path!: ReserveProofStepType[];

  static from(p: ReserveProofRecord): ReserveProofType {
    return Object.assign(new ReserveProofType(), {
      snapshot: ReserveSnapshotType.from(p.snapshot),
      userId: p.userId,
      nonce: p.nonce,
      userHash: p.userHash,
      balance: amountText(p.snapshot.asset, p.balance),
      balanceUnits: p.balance.toString(),
      leafHash: p.leafHash,
      leafIndex: p.leafIndex,
      path: p.path.map((s) =>
        Object.assign(new ReserveProofStepType(), {
          side: s.side === 'LEFT' ? ReserveProofSide.LEFT : ReserveProofSide.RIGHT,
          hash: s.hash.toString('hex'),
          sumUnits: s.sum.toString(),
        }),
      ),
    });
  }
}

/**
 * The wallet's `AssetReserve` (on-chain holdings of one asset), extended here with the liabilities the ledger
 * owns. `surplus` needs the wallet's `onChain` (@requires): the gateway fetches it from the wallet first.
 */
@ObjectType('AssetReserve')
@Directive('@key(fields: "asset")')
export class LedgerAssetReserve {
  @Field(() => String)
  asset!: string;

  @Field(() => AmountScalar)
  @Directive('@external')
  onChain?: string;
}

/** The wallet's `TreasuryPosition`, extended with what users own of the asset. */
@ObjectType('TreasuryPosition')
@Directive('@key(fields: "asset")')
export class LedgerTreasuryPosition {
  @Field(() => String)
  asset!: string;
}
