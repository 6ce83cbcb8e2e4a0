import { Field, InputType, ObjectType } from 'type-graphql';
import { UserType } from '../user/user.type.js';
import type { DelegatedToken } from './delegation.service.js';

@InputType({ description: 'The Telegram user an update came from, as the Bot API reports it (`message.from`).' })
export class TelegramUserInput {
  @Field(() => String, { description: 'The Telegram user id, decimal digits.' })
  id!: string;

  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'IETF language tag of the user’s Telegram client.' })
  languageCode?: string | null;
}

@ObjectType({ description: 'A short-lived access token scoped to what the Telegram bot may do for one user.' })
export class DelegatedSession {
  @Field(() => String, { description: 'JWT carrying the bot scope; not refreshable: sign in again when it expires.' })
  accessToken!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => UserType)
  user!: UserType;

  static from(issued: DelegatedToken): DelegatedSession {
    const s = new DelegatedSession();
    s.accessToken = issued.accessToken;
    s.expiresAt = issued.expiresAt;
    s.user = UserType.from(issued.user);
    return s;
  }
}
