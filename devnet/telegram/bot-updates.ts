/**
 * The update side of the Telegram Bot API simulator, for bots that receive messages (clients/bot): users' messages
 * injected by tests or by hand become Updates, fetched with `getUpdates` (offset confirms, timeout long-polls) or,
 * while a webhook is set (`setWebhook` url + secret_token), POSTed to it with the `X-Telegram-Bot-Api-Secret-Token`
 * header; `deleteWebhook` and `getWebhookInfo` as documented (core.telegram.org/bots/api#getting-updates).
 */

export interface InjectedMessage {
  from: { id: number; first_name?: string; last_name?: string; username?: string; language_code?: string };
  /** Defaults to the private chat with `from`. */
  chat?: { id: number; type?: string };
  text: string;
}

export interface SimulatedUpdate {
  update_id: number;
  message: {
    message_id: number;
    from: InjectedMessage['from'] & { is_bot: false };
    chat: { id: number; type: string; first_name?: string; username?: string };
    date: number;
    text: string;
    entities?: { type: 'bot_command'; offset: number; length: number }[];
  };
}

export interface WebhookDelivery {
  update_id: number;
  url: string;
  /** HTTP status of the bot's answer; 0 when it could not be reached. */
  status: number;
  at: number;
}

type Answer = { status: number; body: Record<string, unknown> };
const ok = (result: unknown): Answer => ({ status: 200, body: { ok: true, result } });
const fail = (status: number, description: string): Answer => ({
  status,
  body: { ok: false, error_code: status, description },
});

/** setWebhook's secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -. */
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const MAX_POLL_SECONDS = 50;
const COMMAND = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{5,32})?/;

export const BOT_UPDATE_METHODS = new Set(['getUpdates', 'setWebhook', 'deleteWebhook', 'getWebhookInfo']);

export class BotUpdates {
  private pending: SimulatedUpdate[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1_000_000;
  private webhook: { url: string; secretToken: string | null } | null = null;
  private lastError: { date: number; message: string } | null = null;
  private readonly waiters = new Set<() => void>();
  readonly deliveries: WebhookDelivery[] = [];

  /** A user's message as Telegram would report it; delivered to the webhook when one is set, else queued. */
  async inject(input: InjectedMessage): Promise<{ update: SimulatedUpdate; delivery: WebhookDelivery | null }> {
    const text = input.text;
    const command = COMMAND.exec(text);
    const update: SimulatedUpdate = {
      update_id: this.nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        from: { ...input.from, is_bot: false },
        chat: input.chat
          ? { id: input.chat.id, type: input.chat.type ?? (input.chat.id < 0 ? 'group' : 'private') }
          : {
              id: input.from.id,
              type: 'private',
              ...(input.from.first_name ? { first_name: input.from.first_name } : {}),
              ...(input.from.username ? { username: input.from.username } : {}),
            },
        date: Math.floor(Date.now() / 1000),
        text,
        ...(command ? { entities: [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] } : {}),
      },
    };
    this.pending.push(update);
    if (this.webhook) return { update, delivery: await this.deliver(update, this.webhook) };
    for (const wake of this.waiters) wake();
    return { update, delivery: null };
  }

  async handle(method: string, p: Record<string, unknown>): Promise<Answer> {
    switch (method) {
      case 'getUpdates':
        return this.getUpdates(p);
      case 'setWebhook': {
        const url = typeof p.url === 'string' ? p.url : '';
        const secret = typeof p.secret_token === 'string' && p.secret_token !== '' ? p.secret_token : null;
        if (secret !== null && !SECRET_TOKEN.test(secret))
          return fail(400, 'Bad Request: secret token contains unallowed characters');
        if (url === '') {
          this.webhook = null;
          return ok(true);
        }
        if (!/^https?:\/\//.test(url))
          return fail(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
        if (truthy(p.drop_pending_updates)) this.pending = [];
        this.webhook = { url, secretToken: secret };
        for (const wake of this.waiters) wake();
        return ok(true);
      }
      case 'deleteWebhook':
        this.webhook = null;
        if (truthy(p.drop_pending_updates)) this.pending = [];
        return ok(true);
      case 'getWebhookInfo':
        return ok({
          url: this.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.pending.length,
          ...(this.lastError
            ? { last_error_date: this.lastError.date, last_error_message: this.lastError.message }
            : {}),
        });
      default:
        return fail(404, 'Not Found');
    }
  }

  /** Ends every long poll (the simulator is closing). */
  close(): void {
    for (const wake of this.waiters) wake();
  }

  reset(): void {
    this.pending = [];
    this.deliveries.length = 0;
    this.lastError = null;
  }

  private async getUpdates(p: Record<string, unknown>): Promise<Answer> {
    if (this.webhook)
      return fail(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(Math.max(Number(p.limit ?? 100) || 100, 1), 100);
    const timeout = Math.min(Math.max(Number(p.timeout ?? 0) || 0, 0), MAX_POLL_SECONDS);
    // An offset confirms every update below it: they are never returned again.
    if (offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
    if (!this.pending.length && timeout > 0) await this.wait(timeout * 1000);
    if (this.webhook)
      return fail(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    return ok(this.pending.slice(0, limit));
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** One POST per update, as Telegram does; a 2xx answer confirms it, anything else leaves it pending. */
  private async deliver(
    update: SimulatedUpdate,
    hook: { url: string; secretToken: string | null },
  ): Promise<WebhookDelivery> {
    let status = 0;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(hook.secretToken ? { 'x-telegram-bot-api-secret-token': hook.secretToken } : {}),
        },
        body: JSON.stringify(update),
        signal: AbortSignal.timeout(30_000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    const delivery = { update_id: update.update_id, url: hook.url, status, at: Date.now() };
    this.deliveries.push(delivery);
    if (status >= 200 && status < 300) this.pending = this.pending.filter((u) => u.update_id !== update.update_id);
    else
      this.lastError = {
        date: Math.floor(Date.now() / 1000),
        message: status ? `Wrong response from the webhook: ${status}` : 'Connection refused',
      };
    return delivery;
  }
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true' || value === '1';
}
