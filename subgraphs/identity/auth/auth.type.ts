import { Field, ObjectType } from 'type-graphql';
import { UserType } from '../user/user.type.js';
import type { IssuedTokens } from '../session/session.service.js';

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: 'Short-lived JWT; send as `Authorization: Bearer <token>`.' })
  accessToken!: string;

  @Field(() => String, { description: 'Opaque, single-use; exchange with refreshSession before expiresAt.' })
  refreshToken!: string;

  @Field(() => Date, { description: 'When the access token expires.' })
  expiresAt!: Date;

  @Field(() => UserType)
  user!: UserType;

  static from(tokens: IssuedTokens): AuthPayload {
    const p = new AuthPayload();
    p.accessToken = tokens.accessToken;
    p.refreshToken = tokens.refreshToken;
    p.expiresAt = tokens.expiresAt;
    p.user = UserType.from(tokens.user);
    return p;
  }
}
