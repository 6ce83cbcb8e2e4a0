import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../platform/logger.js';
import {
  TelegramApiError,
  TelegramBlockedError,
  TelegramRateLimitedError,
  TelegramUnavailableError,
  type TelegramBotClient,
} from '../../providers/telegram-bot/index.js';
import type { Language } from './format.js';
import { isMuted, type NotificationKind } from './notification.js';
import { renderMessage } from './templates/render.js';

/**
 * How long a sender holds a row it took: longer than a message can wait for its pacing slot (one send per chat per
 * second, 30/s overall), so no other sender takes a row that is still being sent.
 */
const CLAIM_SECONDS = 300;
/** Transient failures (network, 5xx) are tried this often before the row is FAILED. */
const MAX_ATTEMPTS = 20;

export type SendOutcome = 'SENT' | 'MUTED' | 'BLOCKED' | 'NO_RECIPIENT' | 'UNCERTAIN' | 'FAILED' | 'RETRY' | 'WAIT';

export interface SenderSettings {
  miniAppUrl: string;
  /** A message whose user the notifier does not know yet (identity's event still to come) waits this long. */
  recipientWaitSeconds: number;
  /**
   * Called when a call to a chat has finished (answered or failed), before the next call to it may start: the
   * worker pushes the chat's next pacing slot a gap past this moment, so the gap holds between Telegram's
   * acceptances too, not only between our send starts (a slow call would otherwise let the next arrive soon after).
   */
  onChatDone?: (chatId: string) => void;
  /** Test only: SIGKILL the process once Telegram accepted a message, before it is marked sent. */
  crashAfterSend?: boolean;
}

interface ClaimedRow {
  event_id: string;
  user_id: string;
  kind: NotificationKind;
  category: string;
  facts: unknown;
  occurred_at: Date;
  attempts: number;
  waited_seconds: number;
}

interface RecipientRow {
  chat_id: string | null;
  language: Language;
  muted: string[];
  blocked_at: Date | null;
}

/**
 * Step two: sends the PENDING `notifier.message` rows, oldest first. A row is claimed in one statement
 * (`FOR UPDATE SKIP LOCKED` → `claimed_until`, so several senders or replicas never take the same row) and sent
 * with no transaction held during the pacing wait.
 *
 * Delivery is **at most once** across crashes: right before the HTTP call (after the pacing wait) the row is
 * marked `in_flight_at` in its own commit; Telegram's answer then decides (SENT; 429 → back to PENDING after
 * `retry_after`, since a 429 is a refusal; 403 → BLOCKED and the recipient marked; other 4xx → FAILED; connection
 * refused or 5xx → PENDING again with backoff). A row still in flight when its claim expires (the process died
 * between the call and recording the answer) or whose call timed out is marked UNCERTAIN and never sent again:
 * the Bot API has no idempotency key, so a repeat could be a second "deposit credited" message for one deposit.
 * The price is one lost message when the process dies during the one HTTP call in flight.
 */
export class NotificationSender {
  /** The call in progress per chat: one at a time per chat in this process, in claim order. */
  private readonly chatBusy = new Map<string, Promise<void>>();

  constructor(
    private readonly client: TelegramBotClient,
    private readonly settings: SenderSettings,
    private readonly log: Logger,
    private readonly onOutcome: (category: string, outcome: SendOutcome, occurredAt?: Date) => void = () => undefined,
  ) {}

  /** Rows whose sender died during the call: marked UNCERTAIN (see the class comment). Returns how many. */
  async settleAbandoned(em: EntityManager): Promise<number> {
    const rows = await em
      .fork()
      .getConnection()
      .execute<{ category: string }[]>(
        `update "notifier"."message" set "status" = 'UNCERTAIN', "claimed_until" = null,
           "last_error" = 'the sender stopped during the call: Telegram may have the message; not sent again'
         where "status" = 'PENDING' and "in_flight_at" is not null and "claimed_until" < now()
         returning "category"`,
      );
    for (const r of rows) this.onOutcome(r.category, 'UNCERTAIN');
    if (rows.length) this.log.warn({ count: rows.length }, 'messages abandoned in flight marked UNCERTAIN');
    return rows.length;
  }

  /** Claims and handles one row; null when nothing is due. */
  async sendNext(em: EntityManager): Promise<SendOutcome | null> {
    const row = await this.claim(em);
    if (!row) return null;
    const outcome = await this.handle(em, row);
    if (outcome !== 'WAIT' && outcome !== 'RETRY') this.onOutcome(row.category, outcome, new Date(row.occurred_at));
    return outcome;
  }

  private async claim(em: EntityManager): Promise<ClaimedRow | null> {
    const [row] = await em
      .fork()
      .getConnection()
      .execute<ClaimedRow[]>(
        `update "notifier"."message" m set "claimed_until" = now() + make_interval(secs => ${CLAIM_SECONDS})
         from (select "event_id", "user_id" from "notifier"."message"
           where "status" = 'PENDING' and "not_before" <= now() and "in_flight_at" is null
             and ("claimed_until" is null or "claimed_until" < now())
           order by "created_at", "event_id" limit 1 for update skip locked) next
         where m."event_id" = next."event_id" and m."user_id" = next."user_id"
         returning m."event_id", m."user_id", m."kind", m."category", m."facts", m."occurred_at", m."attempts",
           extract(epoch from now() - m."created_at")::float8 as "waited_seconds"`,
      );
    return row ?? null;
  }

  private async handle(em: EntityManager, row: ClaimedRow): Promise<SendOutcome> {
    const db = em.fork().getConnection();
    const key = [row.event_id, row.user_id];
    const finish = async (status: string, error: string | null, extra = '', params: unknown[] = []) => {
      await db.execute(
        `update "notifier"."message" set "status" = ?, "claimed_until" = null, "in_flight_at" = null,
           "last_error" = ?${extra} where "event_id" = ? and "user_id" = ?`,
        [status, error, ...params, ...key],
      );
    };
    const retry = async (seconds: number, error: string, countAttempt: boolean) => {
      await db.execute(
        `update "notifier"."message" set "claimed_until" = null, "in_flight_at" = null, "last_error" = ?,
           "attempts" = "attempts" + ?, "not_before" = now() + make_interval(secs => ?)
         where "event_id" = ? and "user_id" = ?`,
        [error, countAttempt ? 1 : 0, seconds, ...key],
      );
    };

    const [recipient] = await db.execute<RecipientRow[]>(
      `select "chat_id", "language", "muted", "blocked_at" from "notifier"."recipient" where "user_id" = ?`,
      [row.user_id],
    );
    if (!recipient?.chat_id) {
      if (row.waited_seconds >= this.settings.recipientWaitSeconds) {
        await finish('NO_RECIPIENT', 'no Telegram chat known for this user');
        return 'NO_RECIPIENT';
      }
      await retry(2, 'recipient not known yet', false);
      return 'WAIT';
    }
    if (isMuted(row.kind, recipient.muted)) {
      await finish('MUTED', null);
      return 'MUTED';
    }
    if (recipient.blocked_at) {
      await finish('BLOCKED', 'the user has blocked the bot');
      return 'BLOCKED';
    }
    const message = renderMessage(row, recipient.language, new Date(row.occurred_at), this.settings.miniAppUrl);
    const log = this.log.child({ eventId: row.event_id, userId: row.user_id, kind: row.kind });
    const chatId = recipient.chat_id;
    const previous = this.chatBusy.get(chatId);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.chatBusy.set(chatId, mine);
    await previous;
    try {
      return await this.send(db, row, recipient, chatId, message, finish, retry, log);
    } finally {
      this.settings.onChatDone?.(chatId);
      if (this.chatBusy.get(chatId) === mine) this.chatBusy.delete(chatId);
      done();
    }
  }

  private async send(
    db: ReturnType<EntityManager['getConnection']>,
    row: ClaimedRow,
    recipient: RecipientRow,
    chatId: string,
    message: ReturnType<typeof renderMessage>,
    finish: (status: string, error: string | null, extra?: string, params?: unknown[]) => Promise<void>,
    retry: (seconds: number, error: string, countAttempt: boolean) => Promise<void>,
    log: Logger,
  ): Promise<SendOutcome> {
    const key = [row.event_id, row.user_id];
    try {
      const sent = await this.client.sendMessage(
        { chat_id: chatId, ...message },
        {
          beforeAttempt: async () => {
            await db.execute(
              `update "notifier"."message" set "in_flight_at" = now(), "chat_id" = ?, "language" = ?
               where "event_id" = ? and "user_id" = ?`,
              [recipient.chat_id, recipient.language, ...key],
            );
          },
        },
      );
      if (this.settings.crashAfterSend) process.kill(process.pid, 'SIGKILL');
      await finish('SENT', null, `, "sent_at" = now(), "telegram_message_id" = ?, "attempts" = "attempts" + 1`, [
        sent.message_id,
      ]);
      log.info({ chatId: recipient.chat_id }, 'notification sent');
      return 'SENT';
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      if (err instanceof TelegramRateLimitedError) {
        // refused, not delivered: the same row goes again after the wait (the pacer holds the chat back too)
        await retry(err.retryAfterSeconds, reason, false);
        log.warn({ retryAfter: err.retryAfterSeconds }, 'telegram flood control: notification waits');
        return 'RETRY';
      }
      if (err instanceof TelegramBlockedError) {
        await finish('BLOCKED', reason);
        await db.execute(
          `update "notifier"."recipient" set "blocked_at" = now(), "updated_at" = now() where "user_id" = ?`,
          [row.user_id],
        );
        log.info({ chatId: recipient.chat_id }, 'user blocked the bot: marked, further messages skipped');
        return 'BLOCKED';
      }
      if (err instanceof TelegramApiError && err.permanent) {
        await finish('FAILED', reason);
        log.error({ reason }, 'notification refused by Telegram');
        return 'FAILED';
      }
      if (err instanceof TelegramUnavailableError && err.reason === 'timeout') {
        await finish('UNCERTAIN', reason);
        log.warn('notification call timed out: Telegram may have it; not sent again');
        return 'UNCERTAIN';
      }
      if (row.attempts + 1 >= MAX_ATTEMPTS) {
        await finish('FAILED', reason, `, "attempts" = "attempts" + 1`);
        log.error({ reason }, 'notification given up');
        return 'FAILED';
      }
      const backoff = Math.min(300, 2 ** Math.min(row.attempts, 8));
      await retry(backoff, reason, true);
      log.warn({ reason, retryIn: backoff }, 'notification not sent: will retry');
      return 'RETRY';
    }
  }
}
