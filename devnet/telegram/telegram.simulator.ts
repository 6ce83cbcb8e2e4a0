import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody, sendJson, startSimulatorServer, type SimulatorServer } from '../http/simulator.server.js';
import { readPhotoRequest, type SimulatedPhoto } from './bot-photos.js';
import {
  BOT_UPDATE_METHODS,
  BotUpdates,
  type InjectedMessage,
  type SimulatedUpdate,
  type WebhookDelivery,
} from './bot-updates.js';

/**
 * The Telegram Bot API as bots see it (core.telegram.org/bots/api): `POST /bot<token>/<method>` with a JSON or
 * form-encoded body, answered `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`.
 * Only what this platform's bots use is implemented: `getMe` and `sendMessage` (chat_id, text ≤ 4096 characters,
 * parse_mode, reply_markup, disable_notification, reply_parameters passed through). Every message is captured for
 * tests, which read and steer the simulator through its test-only control API under `/_devnet/`:
 *
 * - `GET /_devnet/messages[?chat_id=…]`: the accepted messages, oldest first;
 * - `GET /_devnet/attempts`: every sendMessage attempt (accepted or refused), with its time and outcome;
 * - `POST /_devnet/flood { count, retryAfter }`: the next `count` sendMessage calls answer 429 with
 *   `parameters.retry_after = retryAfter` (seconds), as Telegram's flood control does; each refused call is not
 *   delivered, so a client that retries after the wait delivers exactly once;
 * - `POST /_devnet/block { chat_id, blocked? }`: the chat's user blocked the bot: sendMessage to it answers 403
 *   `Forbidden: bot was blocked by the user` (not delivered) until unblocked (`blocked: false`);
 * - `DELETE /_devnet/messages`: forget the captured messages and attempts.
 *
 * For bots that receive messages (bot-updates.ts, bot-photos.ts): `getUpdates`, `setWebhook`, `deleteWebhook`,
 * `getWebhookInfo` and `sendPhoto` (multipart upload), plus
 * - `POST /_devnet/updates { from, chat?, text }`: a user's message to the bot (queued, or POSTed to the webhook);
 * - `GET /_devnet/photos[?chat_id=…]`: the photos sent (base64 bytes); `GET /_devnet/webhook-deliveries`.
 */
export interface SimulatedMessage {
  message_id: number;
  chat_id: string;
  text: string;
  parse_mode: string | null;
  reply_markup: unknown;
  /** Milliseconds since the epoch when it was accepted. */
  at: number;
  /** The bot's numeric id (the part of the token before the colon); the secret part is never kept. */
  bot_id: string;
}

export interface SimulatedAttempt {
  chat_id: string | null;
  at: number;
  status: number;
}

export interface TelegramSimulatorOptions {
  port?: number;
  /** Tokens accepted; any well-formed token when omitted (devnet). */
  tokens?: string[];
}

export interface TelegramSimulator extends SimulatorServer {
  messages(chatId?: string): SimulatedMessage[];
  attempts(): SimulatedAttempt[];
  /** The next `count` sendMessage calls answer 429 with `retry_after` seconds. */
  flood(count: number, retryAfterSeconds: number): void;
  /** The user of this private chat blocked the bot: sends to it answer 403 (`unblock` undoes it). */
  block(chatId: string): void;
  unblock(chatId: string): void;
  reset(): void;
  /** A user's message to the bot: queued for getUpdates, or POSTed to the webhook (awaited) when one is set. */
  sendUpdate(message: InjectedMessage): Promise<{ update: SimulatedUpdate; delivery: WebhookDelivery | null }>;
  /** Photos the bot sent (sendPhoto), oldest first. */
  photos(chatId?: string): SimulatedPhoto[];
  /** Every webhook POST with the bot's answer status. */
  deliveries(): WebhookDelivery[];
}

const TOKEN = /^(\d{1,20}):[\w-]{20,}$/;
const MAX_TEXT = 4096;
const PARSE_MODES = ['MarkdownV2', 'HTML', 'Markdown'];

// ── blocked chats (notifier) ─────────────────────────────────────────────────────────────────────────────
/** What Telegram answers a bot sending to a user who blocked it (403). */
export const BLOCKED_DESCRIPTION = 'Forbidden: bot was blocked by the user';

/** `POST /_devnet/block { chat_id, blocked? }`: the chat's user blocks (or, blocked: false, unblocks) the bot. */
async function blockControl(req: IncomingMessage, res: ServerResponse, blocked: Set<string>): Promise<void> {
  const body = JSON.parse((await readRequestBody(req)) || '{}') as { chat_id?: unknown; blocked?: unknown };
  const chat = body.chat_id;
  if (typeof chat !== 'string' && typeof chat !== 'number') return sendJson(res, 400, { error: 'chat_id required' });
  if (body.blocked === false) blocked.delete(String(chat));
  else blocked.add(String(chat));
  sendJson(res, 200, { ok: true });
}
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────

type Answer = { status: number; body: Record<string, unknown> };
const fail = (status: number, description: string, parameters?: Record<string, unknown>): Answer => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown> | null> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (req.method !== 'POST') return params;
  const text = await readRequestBody(req);
  if (!text) return params;
  const type = String(req.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) {
    try {
      const body = JSON.parse(text) as unknown;
      return body && typeof body === 'object' && !Array.isArray(body) ? { ...params, ...body } : null;
    } catch {
      return null;
    }
  }
  if (type.startsWith('application/x-www-form-urlencoded'))
    return { ...params, ...Object.fromEntries(new URLSearchParams(text)) };
  return null;
}

export async function startTelegramSimulator(options: TelegramSimulatorOptions = {}): Promise<TelegramSimulator> {
  let messages: SimulatedMessage[] = [];
  let attempts: SimulatedAttempt[] = [];
  let floodLeft = 0;
  let floodRetryAfter = 1;
  let nextId = 1;
  const blocked = new Set<string>();
  const accepted = options.tokens ? new Set(options.tokens) : null;
  // bots that receive messages: updates (getUpdates / webhook) and photos
  const updates = new BotUpdates();
  let photos: SimulatedPhoto[] = [];

  const sendMessage = (botId: string, p: Record<string, unknown>): Answer => {
    const chat = p.chat_id;
    const chatId = typeof chat === 'number' || (typeof chat === 'string' && chat !== '') ? String(chat) : null;
    if (!chatId) return fail(400, 'Bad Request: chat_id is empty');
    if (!/^(-?\d+|@\w{5,32})$/.test(chatId)) return fail(400, 'Bad Request: chat not found');
    if (blocked.has(chatId)) {
      attempts.push({ chat_id: chatId, at: Date.now(), status: 403 });
      return fail(403, BLOCKED_DESCRIPTION);
    }
    if (floodLeft > 0) {
      floodLeft--;
      attempts.push({ chat_id: chatId, at: Date.now(), status: 429 });
      return fail(429, `Too Many Requests: retry after ${floodRetryAfter}`, { retry_after: floodRetryAfter });
    }
    const text = typeof p.text === 'string' ? p.text : '';
    if (!text.trim()) return fail(400, 'Bad Request: message text is empty');
    if ([...text].length > MAX_TEXT) return fail(400, 'Bad Request: message is too long');
    const parseMode = typeof p.parse_mode === 'string' && p.parse_mode !== '' ? p.parse_mode : null;
    if (parseMode && !PARSE_MODES.includes(parseMode))
      return fail(400, `Bad Request: unsupported parse_mode "${parseMode}"`);
    let markup: unknown = p.reply_markup ?? null;
    if (typeof markup === 'string') {
      try {
        markup = JSON.parse(markup) as unknown;
      } catch {
        return fail(400, "Bad Request: can't parse reply keyboard markup JSON object");
      }
    }
    if (markup !== null && (typeof markup !== 'object' || Array.isArray(markup)))
      return fail(400, "Bad Request: can't parse reply keyboard markup JSON object");
    const at = Date.now();
    const message: SimulatedMessage = {
      message_id: nextId++,
      chat_id: chatId,
      text,
      parse_mode: parseMode,
      reply_markup: markup,
      at,
      bot_id: botId,
    };
    messages.push(message);
    attempts.push({ chat_id: chatId, at, status: 200 });
    const numeric = /^-?\d+$/.test(chatId);
    return {
      status: 200,
      body: {
        ok: true,
        result: {
          message_id: message.message_id,
          from: { id: Number(botId), is_bot: true, first_name: 'Devnet Bot', username: 'devnet_bot' },
          chat: numeric
            ? {
                id: Number(chatId),
                type: chatId.startsWith('-100') ? 'supergroup' : chatId.startsWith('-') ? 'group' : 'private',
              }
            : { id: -1000000000000, type: 'channel', username: chatId.slice(1) },
          date: Math.floor(at / 1000),
          text,
          ...(markup ? { reply_markup: markup } : {}),
        },
      },
    };
  };

  const control = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (url.pathname === '/_devnet/messages' && req.method === 'GET') {
      const chat = url.searchParams.get('chat_id');
      return sendJson(res, 200, chat ? messages.filter((m) => m.chat_id === chat) : messages);
    }
    if (url.pathname === '/_devnet/messages' && req.method === 'DELETE') {
      messages = [];
      attempts = [];
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === '/_devnet/attempts' && req.method === 'GET') return sendJson(res, 200, attempts);
    if (url.pathname === '/_devnet/updates' && req.method === 'POST') {
      const body = JSON.parse((await readRequestBody(req)) || '{}') as Partial<InjectedMessage>;
      if (!body.from || !Number.isSafeInteger(body.from.id) || typeof body.text !== 'string' || !body.text)
        return sendJson(res, 400, { error: '{ from: { id, first_name?, username?, language_code? }, chat?, text }' });
      return sendJson(res, 200, await updates.inject(body as InjectedMessage));
    }
    if (url.pathname === '/_devnet/photos' && req.method === 'GET') {
      const chat = url.searchParams.get('chat_id');
      const shown = photos.filter((p) => !chat || p.chat_id === chat);
      return sendJson(
        res,
        200,
        shown.map(({ bytes, ...p }) => ({ ...p, bytes: bytes.toString('base64') })),
      );
    }
    if (url.pathname === '/_devnet/webhook-deliveries' && req.method === 'GET')
      return sendJson(res, 200, updates.deliveries);
    if (url.pathname === '/_devnet/block' && req.method === 'POST') return blockControl(req, res, blocked);
    if (url.pathname === '/_devnet/flood' && req.method === 'POST') {
      const body = JSON.parse((await readRequestBody(req)) || '{}') as { count?: unknown; retryAfter?: unknown };
      const count = Number(body.count ?? 1);
      const retryAfter = Number(body.retryAfter ?? 1);
      if (!Number.isInteger(count) || count < 0 || !Number.isInteger(retryAfter) || retryAfter < 1)
        return sendJson(res, 400, { error: 'count ≥ 0 and retryAfter ≥ 1, integers' });
      floodLeft = count;
      floodRetryAfter = retryAfter;
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, { error: 'Not Found' });
  };

  const server = await startSimulatorServer(
    async (req, res, url) => {
      if (url.pathname.startsWith('/_devnet/')) return control(req, res, url);
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
      if (!match) return sendJson(res, 404, fail(404, 'Not Found').body);
      const [, token, method] = match as unknown as [string, string, string];
      const tokenMatch = TOKEN.exec(token);
      if (!tokenMatch || (accepted && !accepted.has(token))) return sendJson(res, 401, fail(401, 'Unauthorized').body);
      if (method === 'sendPhoto') {
        const sent = await readPhotoRequest(req);
        if (sent.status !== 200) return sendJson(res, sent.status, fail(sent.status, sent.description).body);
        const photo: SimulatedPhoto = { ...sent.photo, message_id: nextId++, at: Date.now(), bot_id: tokenMatch[1]! };
        photos.push(photo);
        const fileId = `sim-photo-${photo.message_id}`;
        return sendJson(res, 200, {
          ok: true,
          result: {
            message_id: photo.message_id,
            from: { id: Number(photo.bot_id), is_bot: true, first_name: 'Devnet Bot', username: 'devnet_bot' },
            chat: { id: Number(photo.chat_id), type: 'private' },
            date: Math.floor(photo.at / 1000),
            photo: [
              {
                file_id: fileId,
                file_unique_id: fileId,
                width: photo.width,
                height: photo.height,
                file_size: photo.bytes.length,
              },
            ],
            ...(photo.caption ? { caption: photo.caption } : {}),
          },
        });
      }
      const params = await readParams(req, url);
      if (!params) return sendJson(res, 400, fail(400, 'Bad Request: invalid request body').body);
      let answer: Answer;
      const botId = tokenMatch[1]!;
      if (method === 'sendMessage') answer = sendMessage(botId, params);
      else if (method === 'getMe')
        answer = {
          status: 200,
          body: {
            ok: true,
            result: { id: Number(botId), is_bot: true, first_name: 'Devnet Bot', username: 'devnet_bot' },
          },
        };
      else if (BOT_UPDATE_METHODS.has(method)) answer = await updates.handle(method, params);
      else answer = fail(404, 'Not Found');
      sendJson(res, answer.status, answer.body);
    },
    { port: options.port ?? 0 },
  );

  return {
    url: server.url,
    close: () => {
      updates.close();
      return server.close();
    },
    messages: (chatId) => (chatId ? messages.filter((m) => m.chat_id === chatId) : [...messages]),
    attempts: () => [...attempts],
    flood(count, retryAfterSeconds) {
      floodLeft = count;
      floodRetryAfter = retryAfterSeconds;
    },
    block: (chatId) => void blocked.add(chatId),
    unblock: (chatId) => void blocked.delete(chatId),
    reset() {
      messages = [];
      attempts = [];
      floodLeft = 0;
      photos = [];
      updates.reset();
      blocked.clear();
    },
    sendUpdate: (message) => updates.inject(message),
    photos: (chatId) => photos.filter((p) => !chatId || p.chat_id === chatId),
    deliveries: () => [...updates.deliveries],
  };
}
