import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../../platform/bus/envelope.js';
import { applyOnce } from '../../platform/bus/inbox.js';
import type { Logger } from '../../platform/logger.js';
import { notificationsOf } from './event-notifications.js';
import { CATEGORY_OF, MUTABLE_CATEGORIES } from './notification.js';

/** Durable consumers (platform/bus/permissions.ts grants them to the NATS user `notifier`). */
export const RECIPIENTS_CONSUMER = 'notifier-recipients';
export const NOTIFICATIONS_CONSUMER = 'notifier-events';
export const RECIPIENT_SUBJECTS = ['identity.user.created', 'identity.user.updated'] as const;

/** Runs a statement inside `tx`'s transaction. */
function exec(tx: EntityManager, sql: string, params: unknown[]): Promise<unknown[]> {
  return tx.getConnection().execute(sql, params, 'all', tx.getTransactionContext());
}

/**
 * Step one of a notification: the event becomes one `notifier.message` row per user it concerns, in the inbox's
 * transaction (so a redelivered event, or one the process died handling before its commit, adds nothing twice).
 * The row keeps the facts, not the text: the sender renders it in the recipient's language when it sends.
 */
export async function queueNotifications(em: EntityManager, event: EventEnvelope, log: Logger): Promise<void> {
  const notifications = notificationsOf(event);
  if (notifications.length === 0) return; // not for users (a sender's side of a transfer, a staff note, …)
  await applyOnce(em, NOTIFICATIONS_CONSUMER, event, async (tx) => {
    for (const n of notifications)
      await exec(
        tx,
        `insert into "notifier"."message" ("event_id", "user_id", "kind", "category", "facts", "occurred_at")
         values (?, ?, ?, ?, ?::jsonb, ?) on conflict do nothing`,
        [event.id, n.userId, n.kind, CATEGORY_OF[n.kind], JSON.stringify(n.facts), event.occurredAt],
      );
  });
  log.debug({ eventId: event.id, type: event.type, messages: notifications.length }, 'notifications queued');
}

const isLanguage = (v: unknown): v is 'en' | 'fa' => v === 'en' || v === 'fa';
const mutedOf = (v: unknown): string[] | null =>
  Array.isArray(v)
    ? v.filter((c): c is string => (MUTABLE_CATEGORIES as readonly string[]).includes(c as string))
    : null;

/**
 * The recipients projection, from identity's events: the Telegram chat (a private chat's id is the user's Telegram
 * id), the language and the muted categories. Settings apply only if newer than the ones held (created and updated
 * arrive on separate durables, in either order). Any identity event about a user clears `blocked_at`: the user was
 * active again (signed in, changed settings), so the next message is tried.
 */
export async function applyIdentityEvent(em: EntityManager, event: EventEnvelope): Promise<void> {
  const p = (event.payload ?? {}) as Record<string, unknown>;
  const userId = typeof p.userId === 'string' ? p.userId : null;
  if (!userId) return;
  // created carries the Telegram id; updated only when the account moved (recovery): then null clears the chat
  const hasChat = typeof p.telegramId === 'string' || (event.type === 'identity.user.updated' && p.telegramId === null);
  const chatId = typeof p.telegramId === 'string' ? p.telegramId : null;
  const language = isLanguage(p.language) ? p.language : null;
  const mutedList = mutedOf(p.mutedNotifications);
  // a Postgres array literal (categories are [A-Z] words): knex would expand a JS array into a list
  const muted = mutedList ? `{${mutedList.join(',')}}` : null;
  const hasSettings = language !== null || mutedList !== null;
  await applyOnce(em, RECIPIENTS_CONSUMER, event, async (tx) => {
    await exec(
      tx,
      `insert into "notifier"."recipient" as r ("user_id", "chat_id", "language", "muted", "settings_at")
       values (?, ?, coalesce(?, 'en'), coalesce(?::text[], '{}'), ?)
       on conflict ("user_id") do update set
         "chat_id" = case when ? then excluded."chat_id" else r."chat_id" end,
         "language" = case when ? and (r."settings_at" is null or r."settings_at" <= ?) then coalesce(?, r."language") else r."language" end,
         "muted" = case when ? and (r."settings_at" is null or r."settings_at" <= ?) then coalesce(?::text[], r."muted") else r."muted" end,
         "settings_at" = case when ? then greatest(r."settings_at", ?::timestamptz) else r."settings_at" end,
         "blocked_at" = null,
         "updated_at" = now()`,
      [
        userId,
        chatId,
        language,
        muted,
        hasSettings ? event.occurredAt : null,
        hasChat,
        hasSettings,
        event.occurredAt,
        language,
        hasSettings,
        event.occurredAt,
        muted,
        hasSettings,
        event.occurredAt,
      ],
    );
  });
}
