import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { KycContext } from '../context.js';
import { maskPhone } from '../validation/phone.js';
import { PhoneCodeSent, PhoneVerification } from './phone.type.js';

@Resolver()
export class PhoneResolver {
  @Mutation(() => PhoneCodeSent, {
    description: 'Sends a 6-digit code by SMS to an Iranian mobile (09…, +989…, 00989…; Persian digits accepted).',
  })
  async sendPhoneCode(@Arg('phone', () => String) phone: string, @Ctx() ctx: KycContext): Promise<PhoneCodeSent> {
    const sent = await ctx.kyc.phones.sendCode(ctx.em, ctx.viewer, phone);
    return Object.assign(new PhoneCodeSent(), { ...sent, phone: maskPhone(sent.phone) });
  }

  @Mutation(() => PhoneVerification, { description: 'Proves the number with the code it received.' })
  async verifyPhoneCode(
    @Arg('phone', () => String) phone: string,
    @Arg('code', () => String) code: string,
    @Ctx() ctx: KycContext,
  ): Promise<PhoneVerification> {
    const verified = await ctx.kyc.phones.verifyCode(ctx.em, ctx.viewer, phone, code);
    return Object.assign(new PhoneVerification(), {
      phone: maskPhone(verified.phone),
      verifiedAt: verified.verifiedAt,
    });
  }
}
