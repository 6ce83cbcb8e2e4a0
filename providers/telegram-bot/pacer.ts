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
  /** Send times reserved over all chats, ascending, from one second ago on. */
  private reserved: number[] = [];
  private readonly privateGap: number;
  private readonly groupGap: number;
  private readonly perSecond: number;

  constructor(
    options: PacingOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.privateGap = options.privateChatMs ?? 1000;
    this.groupGap = options.groupChatMs ?? 3000;
    this.perSecond = options.perSecond ?? 30;
  }

  /** Reserves the next slot for `chatId`: milliseconds to wait before sending (0 when it may go now). */
  reserve(chatId: string): number {
    const now = this.now();
    this.reserved = this.reserved.filter((t) => t > now - 1000);
    let slot = Math.max(now, this.chatNext.get(chatId) ?? 0);
    // the earliest time at or after `slot` with fewer than perSecond sends in the second before it
    for (;;) {
      const inWindow = this.reserved.filter((t) => t > slot - 1000 && t <= slot);
      if (inWindow.length < this.perSecond) break;
      slot = inWindow[0]! + 1000;
    }
    this.chatNext.set(chatId, slot + (isGroup(chatId) ? this.groupGap : this.privateGap));
    const at = this.reserved.findIndex((t) => t > slot);
    this.reserved.splice(at === -1 ? this.reserved.length : at, 0, slot);
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
