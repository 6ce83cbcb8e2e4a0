import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { SupportContext } from '../context.js';
import { TicketSlaType } from './ticket.type.js';

@Resolver()
export class SlaResolver {
  @Query(() => TicketSlaType, {
    description: 'Support staff: the queue against the SLA, and the SLA figures of the last `windowDays`.',
  })
  async ticketSla(
    @Arg('windowDays', () => Int, { defaultValue: 30 }) windowDays: number,
    @Ctx() ctx: SupportContext,
  ): Promise<TicketSlaType> {
    return Object.assign(new TicketSlaType(), await ctx.support.sla.stats(ctx.em, ctx.viewer, windowDays));
  }
}
