import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { Wallet } from './wallet.entity.js';

export enum NetworkEnum {
  TON = 'TON',
  TRON = 'TRON',
  ETH = 'ETH',
  BSC = 'BSC',
}
registerEnumType(NetworkEnum, { name: 'Network', description: 'A blockchain the platform holds assets on.' });

@ObjectType('Wallet', { description: 'A custody deposit address of one user on one network.' })
@Directive('@key(fields: "id")')
export class WalletType {
  @Field(() => ID)
  id!: string;

  @Field(() => NetworkEnum)
  network!: NetworkEnum;

  @Field(() => String, {
    description: 'Canonical form: EIP-55 (ETH, BSC), base58check T… (TRON), non-bounceable UQ… (TON v4R2).',
  })
  address!: string;

  @Field(() => Boolean, { description: 'The wallet depositAddress returns for this network.' })
  isDefault!: boolean;

  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  /** Not GraphQL fields: what the admin-only field resolvers need. */
  userId!: string;
  custodyIndex!: number;

  static from(wallet: Wallet): WalletType {
    const t = new WalletType();
    t.id = wallet.id;
    t.network = wallet.network as NetworkEnum;
    t.address = wallet.address;
    t.isDefault = wallet.isDefault;
    t.label = wallet.label;
    t.createdAt = wallet.createdAt;
    t.userId = wallet.userId;
    t.custodyIndex = wallet.custodyIndex;
    return t;
  }
}

/** `User`, owned by identity; the wallet subgraph adds `wallets` and `depositAddress`. */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class WalletUser {
  @Field(() => ID)
  id!: string;
}
