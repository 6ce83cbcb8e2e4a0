import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class PhoneCodeSent {
  @Field(() => String, { description: 'The number, masked (+98912***4567).' })
  phone!: string;

  @Field(() => Date, { description: 'The code stops working at this time.' })
  expiresAt!: Date;

  @Field(() => Int, { description: 'Seconds before another code can be sent to this number.' })
  resendAfterSeconds!: number;
}

@ObjectType()
export class PhoneVerification {
  @Field(() => String, { description: 'The verified number, masked.' })
  phone!: string;

  @Field(() => Date)
  verifiedAt!: Date;
}
