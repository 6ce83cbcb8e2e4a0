import { formatWhen, type Language } from '../format.js';
import type { NotificationFacts, NotificationKind } from '../notification.js';
import { en } from './en.js';
import { fa } from './fa.js';
import type { Templates, Words } from './template.js';

const TEMPLATES: Record<Language, Templates> = { en, fa };

/** The Mini App screen each kind opens (routes of the Mini App's hash router). */
export function screenOf(n: { kind: NotificationKind; facts: unknown }): string {
  switch (n.kind) {
    case 'DEPOSIT_DETECTED':
    case 'DEPOSIT_CREDITED':
    case 'DEPOSIT_REORGED':
    case 'TRANSFER_RECEIVED':
      return '#/history';
    case 'WITHDRAWAL_BROADCAST':
    case 'WITHDRAWAL_COMPLETED':
    case 'WITHDRAWAL_FAILED':
      return '#/withdraw';
    case 'ORDER_FILLED':
      return '#/trade';
    case 'TICKET_ANSWERED':
      return `#/support/${encodeURIComponent((n.facts as NotificationFacts['TICKET_ANSWERED']).ticketId)}`;
    case 'KYC_APPROVED':
    case 'KYC_REJECTED':
      return '#/kyc';
  }
}

/** A Bot API sendMessage body (without chat_id): plain text (no parse_mode) and one web_app button. */
export interface RenderedMessage {
  text: string;
  reply_markup: { inline_keyboard: [[{ text: string; web_app: { url: string } }]] };
}

/**
 * The message a user reads, in their language: the template's text, the time of the event (Jalali in Persian)
 * and a button that opens the Mini App (`miniAppUrl` + the screen's hash).
 */
export function renderMessage(
  n: { kind: NotificationKind; facts: unknown },
  language: Language,
  occurredAt: Date,
  miniAppUrl: string,
): RenderedMessage {
  const template = TEMPLATES[language][n.kind] as (facts: NotificationFacts[NotificationKind]) => Words;
  const words = template(n.facts as NotificationFacts[NotificationKind]);
  const url = `${miniAppUrl.replace(/\/+$/, '')}/${screenOf(n)}`;
  return {
    text: `${words.text}\n${formatWhen(occurredAt, language)}`,
    reply_markup: { inline_keyboard: [[{ text: words.button, web_app: { url } }]] },
  };
}
