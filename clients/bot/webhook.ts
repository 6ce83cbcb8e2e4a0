import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { BodyTooLargeError, readBody, sendJson } from '../../platform/http/server.js';
import type { Logger } from '../../platform/logger.js';

export const WEBHOOK_PATH = '/telegram/webhook';
/** The header Telegram sends the setWebhook secret_token in (core.telegram.org/bots/api#setwebhook). */
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

function sameSecret(given: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const bytes = Buffer.from(given);
  // compare equal-length buffers only; the length of a wrong secret tells nothing about the right one's bytes
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/**
 * POST /telegram/webhook: an update is handled only when the X-Telegram-Bot-Api-Secret-Token header equals the
 * configured secret (constant-time); anything else is 401 and never reaches the bot. Telegram gets 200 once the
 * update is handled (errors in a command are answered to the user, not retried by Telegram).
 */
export function webhookRoute(bot: Bot, secret: string, log: Logger) {
  const expected = Buffer.from(secret);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    if (!sameSecret(req.headers[SECRET_HEADER], expected)) {
      log.warn({ hasHeader: SECRET_HEADER in req.headers }, 'webhook refused: wrong or missing secret token');
      return sendJson(res, 401, { error: 'secret token is wrong' });
    }
    let update: Update;
    try {
      update = JSON.parse(await readBody(req, 1_048_576)) as Update;
    } catch (err) {
      return sendJson(res, err instanceof BodyTooLargeError ? 413 : 400, { error: 'not a JSON update' });
    }
    if (!update || typeof update.update_id !== 'number') return sendJson(res, 400, { error: 'not an update' });
    await bot.handleUpdate(update);
    sendJson(res, 200, { ok: true });
  };
}
