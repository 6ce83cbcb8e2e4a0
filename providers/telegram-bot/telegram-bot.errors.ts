/** A Bot API answer `{ ok: false, error_code, description }`, other than flood control. */
export class TelegramApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
  ) {
    super(`Telegram Bot API error ${errorCode}: ${description}`);
    this.name = 'TelegramApiError';
  }

  /** 400/403 (bad chat, bot blocked or kicked, text too long): sending again will not help. */
  get permanent(): boolean {
    return this.errorCode === 400 || this.errorCode === 401 || this.errorCode === 403 || this.errorCode === 404;
  }
}

/**
 * 403 on a send: the user blocked the bot, deleted their account, or the bot was removed from the group
 * ("Forbidden: bot was blocked by the user"). Nothing reaches that chat until the user starts the bot again.
 */
export class TelegramBlockedError extends TelegramApiError {
  constructor(description: string) {
    super(403, description);
    this.name = 'TelegramBlockedError';
  }
}

/** Still 429 after the waits the client allows itself: try again after `retryAfterSeconds`. */
export class TelegramRateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Telegram Bot API flood control: retry after ${retryAfterSeconds} s`);
    this.name = 'TelegramRateLimitedError';
  }
}

/**
 * No answer (timeout, network, 5xx, unreadable body). The message may or may not have been delivered: a caller
 * that sends again accepts a possible duplicate.
 */
export class TelegramUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`Telegram Bot API unavailable: ${reason}`);
    this.name = 'TelegramUnavailableError';
  }
}
