import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context.js';
import { DelegatedSession, TelegramUserInput } from './delegation.type.js';

@Resolver()
export class DelegationResolver {
  @Mutation(() => DelegatedSession, {
    description:
      'The Telegram bot only (its service credential): a short-lived, bot-scoped token for the Telegram user of an update. Creates the account on first use.',
  })
  async signInAsTelegramUser(
    @Arg('credential', () => String) credential: string,
    @Arg('telegramUser', () => TelegramUserInput) telegramUser: TelegramUserInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<DelegatedSession> {
    return DelegatedSession.from(
      await ctx.identity.delegation.signInAsTelegramUser(ctx.em, ctx.viewer, credential, telegramUser),
    );
  }
}
