import type { EntityManager } from '@mikro-orm/postgresql';
import { textArray } from '../core/sql.js';

export interface DirectoryEntry {
  userId: string;
  /** Absent: the event did not say (keep what is known); null: the user has no username. */
  username?: string | null;
  telegramId?: string | null;
  /** When the fact was true (the event's occurredAt): older facts never overwrite newer ones. */
  seenAt: Date;
}

const USERNAME_TTL_MS = 10_000;
const MAX_CACHED = 100_000;

/**
 * Who can receive money: user ids and their Telegram usernames, learned from identity's events
 * (`identity.user.created`, `identity.user.updated`); the ledger never reads identity's tables. A user id,
 * once known, stays known (users are never deleted), so it is cached for good; a username can move to
 * another user, so it is cached for a few seconds only. Misses are never cached: a user who just signed
 * up becomes reachable as soon as their event is applied.
 */
export class UserDirectory {
  private readonly known = new Set<string>();
  private readonly usernames = new Map<string, { userId: string; until: number }>();

  async exists(em: EntityManager, userId: string): Promise<boolean> {
    if (this.known.has(userId)) return true;
    const rows = await em
      .getConnection()
      .execute<{ user_id: string }[]>('select user_id from ledger.user_directory where user_id = ?', [userId]);
    if (rows.length) this.remembered(userId);
    return rows.length > 0;
  }

  /** The user id a username (case-insensitive, with or without @) belongs to, or null. */
  async byUsername(em: EntityManager, username: string): Promise<string | null> {
    const name = normalizeUsername(username);
    const cached = this.usernames.get(name);
    if (cached && cached.until > Date.now()) return cached.userId;
    const rows = await em
      .getConnection()
      .execute<{ user_id: string }[]>('select user_id from ledger.user_directory where lower(username) = ?', [name]);
    const userId = rows[0]?.user_id ?? null;
    if (userId) {
      if (this.usernames.size >= MAX_CACHED) this.usernames.clear();
      this.usernames.set(name, { userId, until: Date.now() + USERNAME_TTL_MS });
      this.remembered(userId);
    }
    return userId;
  }

  /** Usernames of several users in one query (null for a user without one or not known). */
  async usernamesOf(em: EntityManager, userIds: readonly string[]): Promise<Map<string, string | null>> {
    const rows = userIds.length
      ? await em
          .getConnection()
          .execute<{ user_id: string; username: string | null }[]>(
            'select user_id, username from ledger.user_directory where user_id = any(?::text[])',
            [textArray(userIds)],
          )
      : [];
    return new Map(rows.map((r) => [r.user_id, r.username] as const));
  }

  /**
   * Records a fact about a user (in the caller's transaction). A username fact applies only if it is newer
   * than the one recorded; a username held by another user is taken from them only if this fact is newer
   * than theirs, otherwise this user is recorded without it. A fact without a username only makes the
   * user known.
   */
  async remember(em: EntityManager, entry: DirectoryEntry): Promise<void> {
    const conn = em.getConnection();
    const ctx = em.getTransactionContext();
    if (entry.username === undefined) {
      await conn.execute(
        `insert into ledger.user_directory (user_id, username, telegram_id, seen_at) values (?, null, ?, '-infinity')
         on conflict (user_id) do update set telegram_id = coalesce(excluded.telegram_id, ledger.user_directory.telegram_id)`,
        [entry.userId, entry.telegramId ?? null],
        'run',
        ctx,
      );
      return;
    }
    let username = entry.username === null ? null : entry.username.replace(/^@/, '') || null;
    if (username) {
      const holders = await conn.execute<{ user_id: string; newer: boolean }[]>(
        'select user_id, seen_at > ?::timestamptz as newer from ledger.user_directory where lower(username) = ? and user_id <> ? for update',
        [entry.seenAt, username.toLowerCase(), entry.userId],
        'all',
        ctx,
      );
      if (holders.some((h) => h.newer)) username = null;
      else if (holders.length)
        await conn.execute(
          'update ledger.user_directory set username = null where lower(username) = ? and user_id <> ?',
          [username.toLowerCase(), entry.userId],
          'run',
          ctx,
        );
    }
    // Only the username is a fact that changes: an older one never overwrites a newer one. The Telegram
    // id never changes, whichever event brings it first.
    await conn.execute(
      `insert into ledger.user_directory (user_id, username, telegram_id, seen_at) values (?, ?, ?, ?)
       on conflict (user_id) do update set
         username = case when ledger.user_directory.seen_at <= excluded.seen_at then excluded.username else ledger.user_directory.username end,
         telegram_id = coalesce(ledger.user_directory.telegram_id, excluded.telegram_id),
         seen_at = greatest(ledger.user_directory.seen_at, excluded.seen_at)`,
      [entry.userId, username, entry.telegramId ?? null, entry.seenAt],
      'run',
      ctx,
    );
    this.usernames.clear();
  }

  /** The user's level as identity last reported it (1 until a level change arrives). */
  async levelOf(em: EntityManager, userId: string): Promise<number> {
    const rows = await em
      .getConnection()
      .execute<{ level: number }[]>(
        'select level from ledger.user_directory where user_id = ?',
        [userId],
        'all',
        em.getTransactionContext(),
      );
    return rows[0]?.level ?? 1;
  }

  /**
   * Records a level fact (identity.user.level-changed): applied only if newer than the level recorded, so
   * a redelivered older change never lowers (or raises) a level decided later. An unknown user is created.
   */
  async rememberLevel(em: EntityManager, fact: { userId: string; level: number; seenAt: Date }): Promise<void> {
    await em.getConnection().execute(
      `insert into ledger.user_directory (user_id, username, telegram_id, seen_at, level, level_seen_at)
       values (?, null, null, '-infinity', ?, ?)
       on conflict (user_id) do update set
         level = case when ledger.user_directory.level_seen_at <= excluded.level_seen_at then excluded.level else ledger.user_directory.level end,
         level_seen_at = greatest(ledger.user_directory.level_seen_at, excluded.level_seen_at)`,
      [fact.userId, fact.level, fact.seenAt],
      'run',
      em.getTransactionContext(),
    );
  }

  private remembered(userId: string): void {
    if (this.known.size >= MAX_CACHED) this.known.clear();
    this.known.add(userId);
  }
}

export function normalizeUsername(username: string): string {
  return username.trim().replace(/^@/, '').toLowerCase();
}
