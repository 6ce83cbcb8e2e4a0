import { Arg, Query, Resolver } from 'type-graphql';
import { badInput } from '../../../platform/errors.js';
import { validateAddress } from '../../../chains/address.js';
import { NetworkEnum } from '../wallet/wallet.type.js';
import { AddressValidationType } from './address.type.js';

/** Longer input is not an address on any supported network: refused as input, not validated. */
export const MAX_ADDRESS_INPUT = 256;

@Resolver()
export class AddressResolver {
  @Query(() => AddressValidationType, {
    description: 'Checks an address for a network: form, checksum (EIP-55, base58check, TON CRC16) and flags.',
  })
  validateAddress(
    @Arg('network', () => NetworkEnum) network: NetworkEnum,
    @Arg('address', () => String) address: string,
  ): AddressValidationType {
    if (address.length > MAX_ADDRESS_INPUT)
      throw badInput(`address is longer than ${MAX_ADDRESS_INPUT} characters`, { field: 'address' });
    return Object.assign(new AddressValidationType(), validateAddress(network, address));
  }
}
