import { Field, ObjectType } from 'type-graphql';

@ObjectType('AddressValidation', {
  description: 'Whether an address is well-formed for a network, and its one canonical form.',
})
export class AddressValidationType {
  @Field(() => Boolean)
  valid!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'EIP-55 (ETH, BSC), base58check T… (TRON), non-bounceable UQ… (TON); null when invalid.',
  })
  normalized!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the address was refused (checksum, length, flags…); null when valid.',
  })
  reason!: string | null;
}
