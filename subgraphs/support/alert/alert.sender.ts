import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../platform/logger.js';
import {
  TelegramApiError,
  TelegramRateLimitedError,
  type TelegramBotClient,
} from '../../../providers/telegram-bot/index.js';
import type { SupportMetrics } from '../support.metrics.js';

/** Rows one pass takes (each sent at the chat's pace). */
const BATCH = 20;
/** After this many failed attempts a row is given up (logged as an error; the row stays for staff to see). */
const MAX_ATTEMPTS = 20;

interface PendingAlert {
  event_id: string;
  kind: string;
  chat_id: string;
  text: string;
  attempts: number;
}

/**
 * Staff alerts, step two: sends the pending `staff_alert` rows, oldest first, each under its row lock (`FOR UPDATE
 * SKIP LOCKED`, so several support replicas never send the same row) and marks it sent in the same transaction.
 * The Telegram client paces per chat and waits out 429 `retry_after` itself, so flood control delays alerts but
 * loses none and sends none twice (a 429 means Telegram did not take the message). A flood wait longer than the
 * client allows, a timeout or a 5xx leaves the row pending with `not_before` pushed back; only a timeout after
 * Telegram did take the message can cause a repeat (the Bot API has no idempotency key).
 */
export class StaffAlertSender {
  constructor(
    private readonly client: TelegramBotClient,
    private readonly metrics: SupportMetrics,
    private readonly log: Logger,
  ) {}

  /** One pass; true when a full batch was found (run again at once). */
  async sendPending(em: EntityManager): Promise<boolean> {
    let handled = 0;
    for (; handled < BATCH; handled++) {
      const more = await em.fork().transactional(async (tx) => {
        const ctx = tx.getTransactionContext();
        const [row] = await tx.getConnection().execute<PendingAlert[]>(
          `select "event_id", "kind", "chat_id", "text", "attempts" from "support"."staff_alert"
             where "sent_at" is null and "not_before" <= now() and "attempts" < ${MAX_ATTEMPTS}
             order by "created_at", "event_id" limit 1 for update skip locked`,
          [],
          'all',
          ctx,
        );
        if (!row) return false;
        await this.sendOne(tx, row);
        return true;
      });
      if (!more) break;
    }
    return handled === BATCH;
  }

  private async sendOne(tx: EntityManager, row: PendingAlert): Promise<void> {
    const ctx = tx.getTransactionContext();
    const connection = tx.getConnection();
    try {
      const sent = await this.client.sendMessage({ chat_id: row.chat_id, text: row.text, disable_notification: false });
      await connection.execute(
        `update "support"."staff_alert" set "sent_at" = now(), "attempts" = "attempts" + 1, "telegram_message_id" = ?, "last_error" = null where "event_id" = ?`,
        [sent.message_id, row.event_id],
        'all',
        ctx,
      );
      this.metrics.alertsSent.inc({ kind: row.kind });
      this.log.info({ eventId: row.event_id, kind: row.kind, chatId: row.chat_id }, 'staff alert sent');
    } catch (err) {
      const retryIn =
        err instanceof TelegramRateLimitedError ? err.retryAfterSeconds : Math.min(300, 2 ** Math.min(row.attempts, 8));
      const permanent = err instanceof TelegramApiError && err.permanent;
      const reason = err instanceof Error ? err.message : String(err);
      await connection.execute(
        `update "support"."staff_alert" set "attempts" = ${permanent ? MAX_ATTEMPTS : '"attempts" + 1'}, "last_error" = ?, "not_before" = now() + make_interval(secs => ?) where "event_id" = ?`,
        [reason.slice(0, 500), retryIn, row.event_id],
        'all',
        ctx,
      );
      const level = permanent || row.attempts + 1 >= MAX_ATTEMPTS ? 'error' : 'warn';
      this.log[level]({ eventId: row.event_id, chatId: row.chat_id, reason, retryIn }, 'staff alert not sent');
    }
  }
}
