/**
 * Telegram's broadcast limits as a schedule (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
 * about one message per second to one chat, about 20 per minute to one group, about 30 per second overall. Each
 * call reserves the next free slot of its chat and of the bot, so concurrent senders queue instead of racing into
 * a 429; a 429's `retry_after` pushes the chat's next slot past the wait.
 */
export interface PacingOptions {
  /** Gap between two messages to one private chat (positive id). Default 1,000 ms. */
  privateChatMs?: number;
  /** Gap between two messages to one group, supergroup or channel (negative id or @name). Default 3,000 ms (20/min). */
  groupChatMs?: number;
  /** Messages per second over all chats. Default 30. */
  perSecond?: number;
}

export class ChatPacer {
  private readonly chatNext = new Map<string, number>();
  private globalNext = 0;
  private readonly privateGap: number;
  private readonly groupGap: number;
  private readonly globalGap: number;

  constructor(
    options: PacingOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.privateGap = options.privateChatMs ?? 1000;
    this.groupGap = options.groupChatMs ?? 3000;
    this.globalGap = 1000 / (options.perSecond ?? 30);
  }

  /** Reserves the next slot for `chatId`: milliseconds to wait before sending (0 when it may go now). */
  reserve(chatId: string): number {
    const now = this.now();
    const slot = Math.max(now, this.chatNext.get(chatId) ?? 0, this.globalNext);
    this.chatNext.set(chatId, slot + (isGroup(chatId) ? this.groupGap : this.privateGap));
    this.globalNext = slot + this.globalGap;
    this.forgetIdle(now);
    return slot - now;
  }

  /** Telegram said wait `seconds` for this chat: nothing goes to it before then. */
  penalize(chatId: string, seconds: number): void {
    const until = this.now() + seconds * 1000;
    if ((this.chatNext.get(chatId) ?? 0) < until) this.chatNext.set(chatId, until);
  }

  /** Keeps the map small: chats whose next slot has passed need no entry. */
  private forgetIdle(now: number): void {
    if (this.chatNext.size < 10_000) return;
    for (const [chat, next] of this.chatNext) if (next < now) this.chatNext.delete(chat);
  }
}

/** Groups, supergroups and channels have negative ids, or are named @channelusername. */
export function isGroup(chatId: string): boolean {
  return chatId.startsWith('-') || chatId.startsWith('@');
}
