import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { SupportContext } from '../context.js';
import { isSupportStaff } from './ticket.access.js';
import type { LinkKind, TicketCategory, TicketLink, TicketMessage, TicketStatus } from './ticket.entity.js';
import type { TicketPage } from './ticket.service.js';
import {
  DepositRef,
  OrderRef,
  PaymentRef,
  VoucherRef,
  WithdrawalRef,
  OpenTicketInput,
  SupportUser,
  TicketConnection,
  TicketLinkKindEnum,
  TicketLinkType,
  TicketMessageType,
  TicketQueueFilter,
  TicketStatusEnum,
  TicketType,
  TransactionRef,
} from './ticket.type.js';

export function toConnection(page: TicketPage): TicketConnection {
  return Object.assign(new TicketConnection(), {
    edges: page.rows.map((row, i) => ({ cursor: page.cursors[i]!, node: TicketType.from(row) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
  });
}

const linksOf = (ctx: SupportContext, ticketId: string) =>
  ctx.loaders
    .get<TicketLink[]>('support:links', (ids) => ctx.support.tickets.linksOf(ctx.em, ids))
    .load(ticketId)
    .then((links) => links ?? []);

const linkOf = async (ctx: SupportContext, ticketId: string, kind: LinkKind) =>
  (await linksOf(ctx, ticketId)).find((l) => l.kind === kind) ?? null;

@Resolver(() => TicketType)
export class TicketResolver {
  @Query(() => TicketType, { description: 'One ticket: yours, or any for support staff (else NOT_FOUND).' })
  async ticket(@Arg('id', () => ID) id: string, @Ctx() ctx: SupportContext): Promise<TicketType> {
    return TicketType.from(await ctx.support.tickets.get(ctx.em, ctx.viewer, id));
  }

  @Query(() => TicketConnection, {
    description: 'Support staff: the queue. By default the tickets waiting for staff, longest waiting first.',
  })
  async ticketQueue(
    @Arg('filter', () => TicketQueueFilter, { nullable: true }) filter: TicketQueueFilter | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: SupportContext,
  ): Promise<TicketConnection> {
    const page = await ctx.support.tickets.queue(
      ctx.em,
      ctx.viewer,
      {
        status: (filter?.status as TicketStatus | undefined) ?? null,
        category: (filter?.category as TicketCategory | undefined) ?? null,
        assigneeId: filter?.assigneeId ?? null,
        unassigned: filter?.unassigned ?? false,
        waitingOnStaff: filter?.waitingOnStaff ?? true,
      },
      first,
      after,
    );
    return toConnection(page);
  }

  @Mutation(() => TicketType, { description: 'Opens a ticket with its first message; links are checked to be yours.' })
  async openTicket(@Arg('input', () => OpenTicketInput) input: OpenTicketInput, @Ctx() ctx: SupportContext) {
    const ticket = await ctx.support.tickets.open(ctx.em, ctx.viewer, {
      subject: input.subject,
      body: input.body,
      category: input.category as TicketCategory,
      links: input.links.map((l) => ({ kind: l.kind as LinkKind, id: l.id })),
    });
    return TicketType.from(ticket);
  }

  @Mutation(() => TicketMessageType, {
    description:
      'A public reply: by the ticket’s user (back to staff; reopens a recently resolved ticket) or by staff.',
  })
  async replyToTicket(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('body', () => String) body: string,
    @Ctx() ctx: SupportContext,
  ): Promise<TicketMessageType> {
    const message = await ctx.support.tickets.reply(ctx.em, ctx.viewer, ticketId, body);
    return TicketMessageType.from(message, isSupportStaff(ctx.viewer));
  }

  @Mutation(() => TicketMessageType, { description: 'Support staff: a note in the thread the user never sees.' })
  async addTicketNote(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('body', () => String) body: string,
    @Ctx() ctx: SupportContext,
  ): Promise<TicketMessageType> {
    return TicketMessageType.from(await ctx.support.tickets.note(ctx.em, ctx.viewer, ticketId, body), true);
  }

  @Mutation(() => TicketType, {
    description:
      'Support staff: take a ticket (assigneeId = yourself), or with tickets:assign give it to anyone; null unassigns.',
  })
  async assignTicket(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('assigneeId', () => ID, { nullable: true }) assigneeId: string | null,
    @Ctx() ctx: SupportContext,
  ): Promise<TicketType> {
    return TicketType.from(await ctx.support.tickets.assign(ctx.em, ctx.viewer, ticketId, assigneeId ?? null));
  }

  @Mutation(() => TicketType, { description: 'Support staff: the problem is solved.' })
  async resolveTicket(@Arg('ticketId', () => ID) ticketId: string, @Ctx() ctx: SupportContext): Promise<TicketType> {
    return TicketType.from(await ctx.support.tickets.resolve(ctx.em, ctx.viewer, ticketId));
  }

  @Mutation(() => TicketType, { description: 'Closes the ticket for good (its user or support staff).' })
  async closeTicket(@Arg('ticketId', () => ID) ticketId: string, @Ctx() ctx: SupportContext): Promise<TicketType> {
    return TicketType.from(await ctx.support.tickets.close(ctx.em, ctx.viewer, ticketId));
  }

  @Mutation(() => TicketType, { description: 'The ticket’s user rates a resolved or closed ticket, 1–5.' })
  async rateTicket(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('rating', () => Int) rating: number,
    @Arg('comment', () => String, { nullable: true }) comment: string | null,
    @Ctx() ctx: SupportContext,
  ): Promise<TicketType> {
    return TicketType.from(await ctx.support.tickets.rate(ctx.em, ctx.viewer, ticketId, rating, comment ?? null));
  }

  @FieldResolver(() => [TicketMessageType], { description: 'The thread, oldest first (internal notes: staff only).' })
  async messages(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Promise<TicketMessageType[]> {
    const rows = await ctx.loaders
      .get<TicketMessage[]>('support:messages', (ids) => ctx.support.tickets.messagesOf(ctx.em, ctx.viewer, ids))
      .load(ticket.id);
    const staff = isSupportStaff(ctx.viewer);
    return (rows ?? []).map((m) => TicketMessageType.from(m, staff));
  }

  @FieldResolver(() => [TicketLinkType], { description: 'What the ticket is about, by kind and id.' })
  async links(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Promise<TicketLinkType[]> {
    return (await linksOf(ctx, ticket.id)).map((l) =>
      Object.assign(new TicketLinkType(), { kind: l.kind as TicketLinkKindEnum, id: l.objectId }),
    );
  }

  @FieldResolver(() => DepositRef, { nullable: true, description: 'The linked deposit (resolved by the wallet).' })
  async deposit(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Promise<DepositRef | null> {
    const link = await linkOf(ctx, ticket.id, 'DEPOSIT');
    return link ? Object.assign(new DepositRef(), { id: link.objectId }) : null;
  }

  @FieldResolver(() => TransactionRef, { nullable: true, description: 'The linked ledger transaction.' })
  async transaction(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Promise<TransactionRef | null> {
    const link = await linkOf(ctx, ticket.id, 'TRANSACTION');
    return link ? Object.assign(new TransactionRef(), { id: link.objectId }) : null;
  }

  @FieldResolver(() => WithdrawalRef, {
    nullable: true,
    description: 'The linked crypto withdrawal (resolved by the wallet).',
  })
  async withdrawal(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Promise<WithdrawalRef | null> {
    const link = await linkOf(ctx, ticket.id, 'WITHDRAWAL');
    return link ? Object.assign(new WithdrawalRef(), { id: link.objectId }) : null;
  }

  @FieldResolver(() => OrderRef, { nullable: true, description: 'The linked trade order (resolved by the ledger).' })
  async order(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Promise<OrderRef | null> {
    const link = await linkOf(ctx, ticket.id, 'ORDER');
    return link ? Object.assign(new OrderRef(), { id: link.objectId }) : null;
  }

  @FieldResolver(() => VoucherRef, {
    nullable: true,
    description: 'The linked voucher (resolved by the voucher subgraph).',
  })
  async voucher(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Promise<VoucherRef | null> {
    const link = await linkOf(ctx, ticket.id, 'VOUCHER');
    return link ? Object.assign(new VoucherRef(), { id: link.objectId }) : null;
  }

  @FieldResolver(() => PaymentRef, {
    nullable: true,
    description: 'The linked card payment (resolved by the payment subgraph).',
  })
  async payment(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Promise<PaymentRef | null> {
    const link = await linkOf(ctx, ticket.id, 'PAYMENT');
    return link ? Object.assign(new PaymentRef(), { id: link.objectId }) : null;
  }

  @FieldResolver(() => SupportUser, { description: 'Who opened it.' })
  user(@Root() ticket: TicketType): SupportUser {
    return Object.assign(new SupportUser(), { id: ticket.row.userId });
  }

  @FieldResolver(() => ID, { nullable: true, description: 'Support staff only (null for the user): who handles it.' })
  assigneeId(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): string | null {
    return isSupportStaff(ctx.viewer) ? ticket.row.assigneeId : null;
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: 'Support staff only: when the first-response SLA was missed.',
  })
  slaBreachedAt(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Date | null {
    return isSupportStaff(ctx.viewer) ? ticket.row.slaBreachedAt : null;
  }
}

@Resolver(() => SupportUser)
export class SupportUserResolver {
  @FieldResolver(() => TicketConnection, {
    description: 'Support tickets, newest first: the user themselves and support staff.',
  })
  async tickets(
    @Root() user: SupportUser,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => TicketStatusEnum, { nullable: true }) status: TicketStatusEnum | null,
    @Ctx() ctx: SupportContext,
  ): Promise<TicketConnection> {
    const page = await ctx.support.tickets.ofUser(
      ctx.em,
      ctx.viewer,
      user.id,
      (status as TicketStatus | null) ?? null,
      first,
      after,
    );
    return toConnection(page);
  }
}
