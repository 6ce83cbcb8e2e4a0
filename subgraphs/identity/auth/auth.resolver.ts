import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context.js';
import { AuthPayload } from './auth.type.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, {
    description: 'Exchange Telegram Mini App initData for a session. Creates the account on first sign-in.',
  })
  async signInWithTelegram(
    @Arg('initData', () => String) initData: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload> {
    return AuthPayload.from(await ctx.identity.auth.signInWithTelegram(ctx.em, initData));
  }

  @Mutation(() => AuthPayload, {
    description: 'Rotate a refresh token. A token can be used once; reuse ends the session.',
  })
  async refreshSession(
    @Arg('refreshToken', () => String) refreshToken: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload> {
    return AuthPayload.from(await ctx.identity.auth.refresh(ctx.em, refreshToken));
  }

  @Mutation(() => Boolean, { description: "End the viewer's session (all its refresh tokens and access tokens)." })
  async signOut(@Ctx() ctx: IdentityContext): Promise<boolean> {
    return ctx.identity.auth.signOut(ctx.em, ctx.viewer);
  }

  @Mutation(() => AuthPayload, { description: 'Staff sign-in with email and password.' })
  async signInAdmin(
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayload> {
    return AuthPayload.from(await ctx.identity.auth.signInAdmin(ctx.em, email, password));
  }
}
