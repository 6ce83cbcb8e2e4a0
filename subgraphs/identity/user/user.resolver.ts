import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { badInput } from '../../../platform/errors.js';
import type { IdentityContext } from '../context.js';
import {
  LevelRuleType,
  RoleEnum,
  UpdateSettingsInput,
  UserConnection,
  UserFilter,
  UserType,
  KycTierEnum,
} from './user.type.js';
import { connectionFrom } from '../../../platform/graphql/page-info.js';

@Resolver(() => UserType)
export class UserResolver {
  @Query(() => UserType, { description: 'The signed-in user.' })
  async me(@Ctx() ctx: IdentityContext): Promise<UserType> {
    return UserType.from(await ctx.identity.users.requireViewer(ctx.em, ctx.viewer));
  }

  @Query(() => UserType, { nullable: true, description: 'Staff: one user by id (anyone may read their own).' })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<UserType | null> {
    const user = await ctx.identity.users.read(ctx.em, ctx.viewer, id);
    return user ? UserType.from(user) : null;
  }

  @Query(() => UserConnection, { description: 'Staff: users, newest first.' })
  async users(
    @Arg('filter', () => UserFilter, { nullable: true }) filter: UserFilter | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: IdentityContext,
  ): Promise<UserConnection> {
    const cursor = after ? decodeCursor(after) : null;
    const page = await ctx.identity.users.list(ctx.em, ctx.viewer, filter ?? {}, first, cursor);
    const edges = page.nodes.map((u) => ({ cursor: encodeCursor(u.id), node: UserType.from(u) }));
    return connectionFrom(edges, page.hasNextPage);
  }

  @Query(() => [LevelRuleType], { description: 'What each account level requires.' })
  levelRules(@Ctx() ctx: IdentityContext): LevelRuleType[] {
    return ctx.identity.levels.rules.map((r) => ({
      level: r.level,
      kycTier: r.kyc as KycTierEnum,
      minTradeVolumeToman: r.minTradeVolumeToman.toString(),
    }));
  }

  @Mutation(() => UserType)
  async updateSettings(
    @Arg('input', () => UpdateSettingsInput) input: UpdateSettingsInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<UserType> {
    return UserType.from(await ctx.identity.users.updateSettings(ctx.em, ctx.viewer, input));
  }

  @Mutation(() => UserType, { description: 'SUPERADMIN: give a user a role.' })
  async grantRole(
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => RoleEnum) role: RoleEnum,
    @Ctx() ctx: IdentityContext,
  ): Promise<UserType> {
    return UserType.from(await ctx.identity.users.grantRole(ctx.em, ctx.viewer, userId, role));
  }

  @Mutation(() => UserType, {
    description: "SUPERADMIN: take a role away; the user's current access tokens stop working.",
  })
  async revokeRole(
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => RoleEnum) role: RoleEnum,
    @Ctx() ctx: IdentityContext,
  ): Promise<UserType> {
    return UserType.from(await ctx.identity.users.revokeRole(ctx.em, ctx.viewer, userId, role));
  }

  @Mutation(() => UserType, { description: 'SUPERADMIN: give a user a claim such as withdrawals:approve.' })
  async grantClaim(
    @Arg('userId', () => ID) userId: string,
    @Arg('claim', () => String) claim: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<UserType> {
    return UserType.from(await ctx.identity.users.grantClaim(ctx.em, ctx.viewer, userId, validClaim(claim)));
  }

  @Mutation(() => UserType, { description: 'SUPERADMIN: take a claim away.' })
  async revokeClaim(
    @Arg('userId', () => ID) userId: string,
    @Arg('claim', () => String) claim: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<UserType> {
    return UserType.from(await ctx.identity.users.revokeClaim(ctx.em, ctx.viewer, userId, validClaim(claim)));
  }
}

function validClaim(claim: string): string {
  if (!/^[a-z]+:[a-z-]+$/.test(claim))
    throw badInput('claim must look like resource:action, e.g. withdrawals:approve', { field: 'claim' });
  return claim;
}

export function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^usr_[0-9a-z]{26}$/.test(id)) throw badInput('after is not a cursor from this connection', { field: 'after' });
  return id;
}
