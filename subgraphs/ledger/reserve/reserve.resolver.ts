import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { parseAmount } from '../../../platform/money/amount.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { checkAssets } from '../balance/balance.service.js';
import type { LedgerContext } from '../context.js';
import { amountText } from '../transaction/transaction.type.js';
import type { Liabilities, ReserveSnapshotRecord } from './reserve.service.js';
import { LedgerAssetReserve, LedgerTreasuryPosition, ReserveProofType, ReserveSnapshotType } from './reserve.type.js';

export const assetReserveReference = {
  __resolveReference: (ref: Record<string, unknown>): LedgerAssetReserve | null =>
    typeof ref.asset === 'string'
      ? Object.assign(new LedgerAssetReserve(), {
          asset: ref.asset,
          ...(typeof ref.onChain === 'string' ? { onChain: ref.onChain } : {}),
        })
      : null,
};

function liabilitiesOf(ctx: LedgerContext, asset: string): Promise<Liabilities> {
  return ctx.loaders
    .get<Liabilities>('reserve:liabilities', async (assets) => {
      const map = await ctx.ledger.reserves.liabilities(ctx.em, assets);
      return assets.map((a) => map.get(a)!);
    })
    .load(asset) as Promise<Liabilities>;
}

function latestOf(ctx: LedgerContext, asset: string): Promise<ReserveSnapshotRecord | null> {
  return ctx.loaders
    .get<ReserveSnapshotRecord | null>('reserve:latest', async (assets) => {
      const map = await ctx.ledger.reserves.latest(ctx.em, assets);
      return assets.map((a) => map.get(a) ?? null);
    })
    .load(asset) as Promise<ReserveSnapshotRecord | null>;
}

@Resolver(() => LedgerAssetReserve)
export class AssetReserveLiabilityResolver {
  @FieldResolver(() => AmountScalar, {
    description: 'What the ledger owes users in this asset now: Σ available + held over every user. Staff only.',
  })
  async liabilities(@Root() reserve: LedgerAssetReserve, @Ctx() ctx: LedgerContext): Promise<string> {
    ctx.ledger.reserves.authorizeStaff(ctx.viewer);
    return amountText(reserve.asset, (await liabilitiesOf(ctx, reserve.asset)).total);
  }

  @FieldResolver(() => Int, { description: 'Users holding a non-zero balance of the asset. Staff only.' })
  async liabilityUsers(@Root() reserve: LedgerAssetReserve, @Ctx() ctx: LedgerContext): Promise<number> {
    ctx.ledger.reserves.authorizeStaff(ctx.viewer);
    return (await liabilitiesOf(ctx, reserve.asset)).users;
  }

  @FieldResolver(() => AmountScalar, {
    description: 'onChain − liabilities: negative means the chains hold less than users own. Staff only.',
  })
  @Directive('@requires(fields: "onChain")')
  async surplus(@Root() reserve: LedgerAssetReserve, @Ctx() ctx: LedgerContext): Promise<string> {
    ctx.ledger.reserves.authorizeStaff(ctx.viewer);
    const decimals = assetInfo(reserve.asset)?.decimals ?? 0;
    const onChain = parseAmount(reserve.onChain ?? '0', decimals, 'onChain');
    return amountText(reserve.asset, onChain - (await liabilitiesOf(ctx, reserve.asset)).total);
  }

  @FieldResolver(() => ReserveSnapshotType, {
    nullable: true,
    description: 'The latest published proof-of-reserves root of the asset.',
  })
  async latestSnapshot(
    @Root() reserve: LedgerAssetReserve,
    @Ctx() ctx: LedgerContext,
  ): Promise<ReserveSnapshotType | null> {
    const snapshot = await latestOf(ctx, reserve.asset);
    return snapshot ? ReserveSnapshotType.from(snapshot) : null;
  }
}

@Resolver()
export class ReserveResolver {
  @Query(() => [ReserveSnapshotType], {
    description: 'Public: the latest published proof-of-reserves root of each asset (every asset when null).',
  })
  async reserveSnapshots(
    @Arg('assets', () => [String], { nullable: true }) assets: string[] | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<ReserveSnapshotType[]> {
    const symbols = checkAssets(assets);
    const latest = await ctx.ledger.reserves.latest(ctx.em, symbols);
    return symbols.flatMap((s) => {
      const snapshot = latest.get(s);
      return snapshot ? [ReserveSnapshotType.from(snapshot)] : [];
    });
  }

  @Query(() => ReserveProofType, {
    description:
      "The signed-in user's inclusion proof in the latest (or the named) reserve snapshot of an asset. NOT_FOUND when none is published or the user held none of it then.",
  })
  async myReserveProof(
    @Arg('asset', () => String) asset: string,
    @Arg('snapshotId', () => ID, { nullable: true }) snapshotId: string | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<ReserveProofType> {
    return ReserveProofType.from(await ctx.ledger.reserves.proof(ctx.em, ctx.viewer, asset, snapshotId));
  }

  @Mutation(() => [ReserveSnapshotType], {
    description:
      'Staff (FINANCE, admins): publishes a proof-of-reserves snapshot of each asset (every asset when null) now.',
  })
  async publishReserveSnapshots(
    @Arg('assets', () => [String], { nullable: true }) assets: string[] | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<ReserveSnapshotType[]> {
    return (await ctx.ledger.reserves.publishAs(ctx.em, ctx.viewer, assets)).map(ReserveSnapshotType.from);
  }
}

export const treasuryPositionReference = {
  __resolveReference: (ref: Record<string, unknown>): LedgerTreasuryPosition | null =>
    typeof ref.asset === 'string' ? Object.assign(new LedgerTreasuryPosition(), { asset: ref.asset }) : null,
};

@Resolver(() => LedgerTreasuryPosition)
export class TreasuryLiabilityResolver {
  @FieldResolver(() => AmountScalar, {
    description: 'What users own of the asset now (Σ available + held), from the ledger. Staff only.',
  })
  async liabilities(@Root() position: LedgerTreasuryPosition, @Ctx() ctx: LedgerContext): Promise<string> {
    ctx.ledger.reserves.authorizeStaff(ctx.viewer);
    return amountText(position.asset, (await liabilitiesOf(ctx, position.asset)).total);
  }
}
