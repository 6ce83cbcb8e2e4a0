import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from '../../platform/logger.js';
import { ChatPacer, type PacingOptions } from './pacer.js';
import {
  TelegramApiError,
  TelegramBlockedError,
  TelegramRateLimitedError,
  TelegramUnavailableError,
} from './telegram-bot.errors.js';

/**
 * A client of the Telegram Bot API (core.telegram.org/bots/api): `POST <baseUrl>/bot<token>/<method>` with a JSON
 * body; every answer is `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`, where a
 * 429 carries `parameters.retry_after` (seconds). The token is part of the URL, so neither the URL nor the token
 * is ever logged or put in an error; logs name the method and the chat only.
 */
export interface SendMessageParams {
  /** A chat id (private chats positive, groups and channels negative) or `@channelusername`. */
  chat_id: string | number;
  text: string;
  /** Omitted: plain text, nothing is parsed as markup (what alerts use for user-written text). */
  parse_mode?: 'MarkdownV2' | 'HTML' | 'Markdown';
  /** Passed through as given (inline keyboard, reply keyboard, …). */
  reply_markup?: Record<string, unknown>;
  disable_notification?: boolean;
  link_preview_options?: Record<string, unknown>;
}

/** The parts of a Message this platform reads. */
export interface SentMessage {
  message_id: number;
  chat: { id: number; type: string };
  date: number;
}

/** Per call. */
export interface SendOptions {
  /**
   * Awaited right before each HTTP attempt (after the pacing wait): a caller that must know whether a message may
   * have left (e.g. to record "in flight" durably before it does) hooks in here.
   */
  beforeAttempt?: () => Promise<void>;
}

export interface TelegramBotClient {
  sendMessage(params: SendMessageParams, options?: SendOptions): Promise<SentMessage>;
  getMe(): Promise<{ id: number; is_bot: boolean; username?: string }>;
}

export interface TelegramBotClientOptions {
  baseUrl: string;
  token: string;
  log: Logger;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  pacing?: PacingOptions;
  /** 429 answers waited out per call before TelegramRateLimitedError. Default 5. */
  maxFloodWaits?: number;
  /** A longer retry_after is not waited in-process: TelegramRateLimitedError at once. Default 60 s. */
  maxFloodWaitSeconds?: number;
  /** Shared with other clients of the same bot (the limits are per bot). */
  pacer?: ChatPacer;
  /** Called at each 429 (e.g. to count them). */
  onFloodWait?: (retryAfterSeconds: number) => void;
}

const answer = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().int().nonnegative().optional() }).passthrough().optional(),
});
const message = z
  .object({
    message_id: z.number().int(),
    chat: z.object({ id: z.number(), type: z.string() }).passthrough(),
    date: z.number(),
  })
  .passthrough();
const user = z.object({ id: z.number(), is_bot: z.boolean(), username: z.string().optional() }).passthrough();

export function createTelegramBotClient(options: TelegramBotClientOptions): TelegramBotClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pacer = options.pacer ?? new ChatPacer(options.pacing);
  const maxWaits = options.maxFloodWaits ?? 5;
  const maxWaitSeconds = options.maxFloodWaitSeconds ?? 60;
  const log = options.log;

  /** One HTTP call: the result, or an error; 429 is returned as its retry_after for the caller to wait. */
  async function call(method: string, body: unknown): Promise<{ result: unknown } | { retryAfter: number }> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${base}/bot${options.token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const reason = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'network error';
      throw new TelegramUnavailableError(reason);
    }
    let parsed: z.infer<typeof answer>;
    try {
      parsed = answer.parse(JSON.parse(text));
    } catch {
      throw new TelegramUnavailableError(`unreadable answer (HTTP ${res.status})`);
    }
    if (parsed.ok) return { result: parsed.result };
    const code = parsed.error_code ?? res.status;
    if (code === 429) return { retryAfter: parsed.parameters?.retry_after ?? 1 };
    if (code >= 500) throw new TelegramUnavailableError(`HTTP ${code}`);
    if (code === 403) throw new TelegramBlockedError(parsed.description ?? 'Forbidden');
    throw new TelegramApiError(code, parsed.description ?? 'no description');
  }

  return {
    async sendMessage(params, sendOptions = {}) {
      const chatId = String(params.chat_id);
      for (let waits = 0; ; waits++) {
        const wait = pacer.reserve(chatId);
        if (wait > 0) await sleep(wait);
        await sendOptions.beforeAttempt?.();
        const outcome = await call('sendMessage', params);
        if ('result' in outcome) return message.parse(outcome.result) as SentMessage;
        pacer.penalize(chatId, outcome.retryAfter);
        options.onFloodWait?.(outcome.retryAfter);
        log.warn(
          { method: 'sendMessage', chatId, retryAfter: outcome.retryAfter, waits },
          'telegram flood control: waiting',
        );
        if (waits + 1 >= maxWaits || outcome.retryAfter > maxWaitSeconds)
          throw new TelegramRateLimitedError(outcome.retryAfter);
      }
    },
    async getMe() {
      const outcome = await call('getMe', {});
      if ('retryAfter' in outcome) throw new TelegramRateLimitedError(outcome.retryAfter);
      return user.parse(outcome.result);
    },
  };
}
