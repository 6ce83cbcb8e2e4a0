import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import type { Logger } from '../../../platform/logger.js';
import { runSubgraphConsumer, type SubgraphDeps } from '../../../platform/service/subgraph.js';
import { Ticket, TicketMessage } from '../ticket/ticket.entity.js';
import { TicketEvents } from '../ticket/ticket.events.js';
import { StaffAlert } from './staff-alert.entity.js';

export const STAFF_ALERTS_CONSUMER = 'support-staff-alerts';
export const ALERT_SUBJECTS = [TicketEvents.opened, TicketEvents.replied, TicketEvents.slaBreached];

/** Telegram's limit is 4096 characters; the excerpt of a user's text stays well below. */
const EXCERPT = 600;

/**
 * Staff alerts, step one: each alerting event (a new ticket, a user's reply, an SLA breach) becomes one
 * `staff_alert` row keyed by the event id, in the inbox's transaction, so a redelivered event adds nothing. The
 * sender (alert.sender.ts) delivers the rows to the staff chat at Telegram's pace. Staff replies and internal
 * notes alert nobody.
 */
export async function startStaffAlertConsumer(deps: SubgraphDeps, chatId: string) {
  const log = deps.log.child({ consumer: STAFF_ALERTS_CONSUMER });
  return runSubgraphConsumer(deps, {
    durable: STAFF_ALERTS_CONSUMER,
    subjects: ALERT_SUBJECTS,
    log,
    concurrency: 8,
    handle: (event) => queueAlert(deps, event, chatId, log),
  });
}

export async function queueAlert(
  deps: Pick<SubgraphDeps, 'orm'>,
  event: EventEnvelope,
  chatId: string,
  log: Logger,
): Promise<void> {
  const p = event.payload as {
    ticketId?: unknown;
    messageId?: unknown;
    authorRole?: unknown;
    internal?: unknown;
    reopened?: unknown;
    slaMinutes?: unknown;
  };
  if (typeof p.ticketId !== 'string') {
    log.error({ eventId: event.id, type: event.type }, 'support event without a ticket id ignored');
    return;
  }
  if (event.type === TicketEvents.replied && (p.authorRole !== 'USER' || p.internal === true)) return;
  await applyOnce(deps.orm.em, STAFF_ALERTS_CONSUMER, event, async (tx) => {
    const ticket = await tx.findOne(Ticket, { id: p.ticketId as string });
    if (!ticket) {
      log.error({ eventId: event.id, ticketId: p.ticketId }, 'alert for an unknown ticket ignored');
      return;
    }
    const message = typeof p.messageId === 'string' ? await tx.findOne(TicketMessage, { id: p.messageId }) : null;
    let kind: string;
    let head: string;
    if (event.type === TicketEvents.opened) {
      kind = 'OPENED';
      head = `New ticket ${ticket.id} [${ticket.category}]`;
    } else if (event.type === TicketEvents.replied) {
      kind = 'REPLIED';
      head = `${p.reopened ? 'Reopened by a reply' : 'User replied'}: ticket ${ticket.id} [${ticket.status}]`;
    } else {
      kind = 'SLA_BREACHED';
      head = `SLA breach: ticket ${ticket.id} has had no answer for ${String(p.slaMinutes)} minutes`;
    }
    const lines = [head, `Subject: ${ticket.subject}`];
    if (message) lines.push('', excerpt(message.body));
    tx.create(StaffAlert, { eventId: event.id, kind, ticketId: ticket.id, chatId, text: lines.join('\n') });
  });
}

/** The start of a user's text for the alert (plain text: Telegram gets no parse_mode, so nothing is markup). */
function excerpt(body: string): string {
  const chars = [...body];
  return chars.length <= EXCERPT ? body : `${chars.slice(0, EXCERPT).join('')}…`;
}
