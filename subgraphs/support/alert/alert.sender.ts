import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../platform/logger.js';
import {
  TelegramApiError,
  TelegramRateLimitedError,
  type TelegramBotClient,
} from '../../../providers/telegram-bot/index.js';
import type { SupportMetrics } from '../support.metrics.js';

/** Rows one pass sends at most (each at the chat's pace). */
const BATCH = 20;
/** After this many failed attempts a row is given up (logged as an error; the row stays for staff to see). */
const MAX_ATTEMPTS = 20;
/**
 * How long a sender holds a row it took: longer than the client can spend on one message (5 flood waits of at most
 * 60 s, pacing, timeouts), so no other sender takes a row that is still being sent.
 */
const CLAIM_SECONDS = 600;

interface PendingAlert {
  event_id: string;
  kind: string;
  chat_id: string;
  text: string;
  attempts: number;
}

/**
 * Staff alerts, step two: sends the pending `staff_alert` rows oldest first. Each row is claimed in one statement
 * (`FOR UPDATE SKIP LOCKED` → `claimed_until`, so several support replicas never take the same row), sent with no
 * transaction or connection held during the pacing and flood waits, then marked sent. The Telegram client paces
 * per chat and waits out 429 `retry_after` itself, so flood control delays alerts but loses none and sends none
 * twice (a 429 means Telegram did not take the message). A flood wait longer than the client allows, a timeout or
 * a 5xx releases the row with `not_before` pushed back; a permanent refusal (bad chat, bot removed) gives it up.
 * A repeat is possible only when a send timed out after Telegram took it, or the process died between Telegram's
 * answer and the update (the Bot API has no idempotency key).
 */
export class StaffAlertSender {
  constructor(
    private readonly client: TelegramBotClient,
    private readonly metrics: SupportMetrics,
    private readonly log: Logger,
  ) {}

  /** One pass; true when a full batch was sent (run again at once). */
  async sendPending(em: EntityManager): Promise<boolean> {
    let handled = 0;
    for (; handled < BATCH; handled++) {
      const row = await this.claim(em);
      if (!row) break;
      await this.sendOne(em, row);
    }
    return handled === BATCH;
  }

  private async claim(em: EntityManager): Promise<PendingAlert | null> {
    const [row] = await em
      .fork()
      .getConnection()
      .execute<PendingAlert[]>(
        `update "support"."staff_alert" set "claimed_until" = now() + make_interval(secs => ${CLAIM_SECONDS})
         where "event_id" = (select "event_id" from "support"."staff_alert"
           where "sent_at" is null and "not_before" <= now() and "attempts" < ${MAX_ATTEMPTS}
             and ("claimed_until" is null or "claimed_until" < now())
           order by "created_at", "event_id" limit 1 for update skip locked)
         returning "event_id", "kind", "chat_id", "text", "attempts"`,
      );
    return row ?? null;
  }

  private async sendOne(em: EntityManager, row: PendingAlert): Promise<void> {
    const connection = em.fork().getConnection();
    try {
      const sent = await this.client.sendMessage({ chat_id: row.chat_id, text: row.text });
      await connection.execute(
        `update "support"."staff_alert" set "sent_at" = now(), "claimed_until" = null, "attempts" = "attempts" + 1,
           "telegram_message_id" = ?, "last_error" = null where "event_id" = ?`,
        [sent.message_id, row.event_id],
      );
      this.metrics.alertsSent.inc({ kind: row.kind });
      this.log.info({ eventId: row.event_id, kind: row.kind, chatId: row.chat_id }, 'staff alert sent');
    } catch (err) {
      const retryIn =
        err instanceof TelegramRateLimitedError ? err.retryAfterSeconds : Math.min(300, 2 ** Math.min(row.attempts, 8));
      const permanent = err instanceof TelegramApiError && err.permanent;
      const reason = err instanceof Error ? err.message : String(err);
      await connection.execute(
        `update "support"."staff_alert" set "attempts" = ${permanent ? MAX_ATTEMPTS : '"attempts" + 1'}, "claimed_until" = null,
           "last_error" = ?, "not_before" = now() + make_interval(secs => ?) where "event_id" = ?`,
        [reason.slice(0, 500), retryIn, row.event_id],
      );
      const level = permanent || row.attempts + 1 >= MAX_ATTEMPTS ? 'error' : 'warn';
      this.log[level]({ eventId: row.event_id, chatId: row.chat_id, reason, retryIn }, 'staff alert not sent');
    }
  }
}
