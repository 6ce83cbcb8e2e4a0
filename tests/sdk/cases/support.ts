import { expect } from 'vitest';
import {
  CloseTicketDocument,
  OpenTicketDocument,
  RateTicketDocument,
  ReplyToTicketDocument,
  RequestTicketAttachmentDocument,
  ResolveTicketDocument,
  TicketDocument,
  TicketUpdatedDocument,
  TicketsDocument,
} from '../../../clients/sdk/index.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import type { Person } from '../world.js';

const s = {} as { user: Person; agent: Person; ticketId: string };

export const supportCases: SdkCaseFile = {
  file: 'support.graphql',
  async setup(world) {
    s.user = await world.newUser();
    s.agent = await world.newStaff(['SUPPORT']);
  },
  cases: [
    sdkCase(OpenTicketDocument)({
      as: () => s.user,
      variables: () => ({
        input: { subject: 'Where is my deposit?', category: 'DEPOSIT', body: 'I sent 0.5 ETH an hour ago.', links: [] },
      }),
      check: (data) => {
        expect(data.openTicket).toMatchObject({ category: 'DEPOSIT', messages: [{ author: 'USER' }] });
        s.ticketId = data.openTicket.id;
      },
    }),
    sdkCase(TicketsDocument)({
      as: () => s.user,
      variables: () => ({ first: 10 }),
      check: (data) => expect(data.me.tickets.edges.map((e) => e.node.id)).toEqual([s.ticketId]),
    }),
    sdkCase(ReplyToTicketDocument)({
      as: () => s.user,
      variables: () => ({ ticketId: s.ticketId, body: 'The hash is 0xabc.' }),
      check: (data) => expect(data.replyToTicket).toMatchObject({ author: 'USER', internal: false }),
    }),
    sdkCase(TicketDocument)({
      as: () => s.user,
      variables: () => ({ id: s.ticketId }),
      check: (data) => expect(data.ticket.messages).toHaveLength(2),
    }),
    sdkCase(RequestTicketAttachmentDocument)({
      as: () => s.user,
      variables: () => ({ ticketId: s.ticketId, fileName: 'receipt.pdf', contentType: 'PDF' }),
      check: (data) => expect(data.requestTicketAttachment.attachment.fileName).toBe('receipt.pdf'),
    }),
    sdkCase(TicketUpdatedDocument)({
      as: () => s.user,
      async cause(world) {
        const res = await world.run(ReplyToTicketDocument, { ticketId: s.ticketId, body: 'Any news?' }, s.user);
        expect(res.body.errors).toBeUndefined();
      },
      check: (data) => expect(data.ticketUpdated.id).toBe(s.ticketId),
    }),
    sdkCase(RateTicketDocument)({
      as: () => s.user,
      async variables(world) {
        const resolved = await world.run(ResolveTicketDocument, { ticketId: s.ticketId }, s.agent);
        expect(resolved.body.errors).toBeUndefined();
        return { ticketId: s.ticketId, rating: 5, comment: 'quick' };
      },
      check: (data) => expect(data.rateTicket.rating).toBe(5),
    }),
    sdkCase(CloseTicketDocument)({
      as: () => s.user,
      variables: () => ({ ticketId: s.ticketId }),
      check: (data) => expect(data.closeTicket.status).toBe('CLOSED'),
    }),
  ],
};
