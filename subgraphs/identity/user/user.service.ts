import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { isRole, isStaff, type Role, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput, DomainError, ErrorCode, forbidden, notFound, unauthenticated } from '../../../platform/errors.js';
import type { TelegramUser } from '../auth/telegram-init-data.js';
import { LevelPolicy, type LevelFacts } from '../level/level-policy.js';
import { IdentityEvents, type UserCreatedPayload, type UserUpdatedPayload } from './user.events.js';
import { User, type DisplayCurrency, type KycTier, type Language, type NotificationCategory } from './user.entity.js';

const SOURCE = 'identity';

export interface UpdateSettings {
  language?: Language | null;
  displayCurrency?: DisplayCurrency | null;
  mutedNotifications?: NotificationCategory[] | null;
}

export interface UserFilter {
  search?: string | null;
  role?: Role | null;
  level?: number | null;
}

export interface UserPage {
  nodes: User[];
  hasNextPage: boolean;
}

/** Users: creation from Telegram, settings, staff reads, roles and claims, levels. */
export class UserService {
  constructor(
    private readonly levels: LevelPolicy,
    /** Called after a role or claim is taken away, so access tokens carrying it stop working at once. */
    private readonly onAccessReduced: (userId: string) => Promise<void>,
  ) {}

  async requireViewer(em: EntityManager, viewer: Viewer): Promise<User> {
    if (!viewer.userId) throw unauthenticated();
    const user = await em.findOne(User, { id: viewer.userId });
    if (!user) throw unauthenticated('Account no longer exists');
    return user;
  }

  /** Finds or creates the user for a validated Telegram identity, refreshing their profile fields. */
  async upsertFromTelegram(em: EntityManager, tg: TelegramUser): Promise<User> {
    const telegramId = String(tg.id);
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = await em.findOne(User, { telegramId });
      if (existing) {
        const username = tg.username ?? null;
        if (existing.username !== username) {
          // The username is how other users address transfers; the ledger keeps its directory from this event.
          recordEvent<UserUpdatedPayload>(em, IdentityEvents.userUpdated, SOURCE, {
            userId: existing.id,
            changed: ['profile'],
            username,
          });
        }
        existing.username = username;
        existing.firstName = tg.first_name ?? null;
        existing.lastName = tg.last_name ?? null;
        existing.photoUrl = tg.photo_url ?? null;
        existing.languageCode = tg.language_code ?? null;
        existing.lastSignInAt = new Date();
        await em.flush();
        return existing;
      }
      try {
        return await em.transactional(async (tx) => {
          const user = tx.create(User, {
            telegramId,
            username: tg.username ?? null,
            firstName: tg.first_name ?? null,
            lastName: tg.last_name ?? null,
            photoUrl: tg.photo_url ?? null,
            languageCode: tg.language_code ?? null,
            language: tg.language_code === 'fa' ? 'fa' : 'en',
            lastSignInAt: new Date(),
          });
          recordEvent<UserCreatedPayload>(tx, IdentityEvents.userCreated, SOURCE, {
            userId: user.id,
            telegramId,
            username: user.username,
            language: user.language,
            mutedNotifications: user.mutedNotifications,
          });
          await tx.flush();
          return user;
        });
      } catch (err) {
        if (!(err instanceof UniqueConstraintViolationException)) throw err;
        em.clear(); // a parallel first sign-in created the row: read it
      }
    }
    throw new Error('could not create or find the Telegram user');
  }

  async updateSettings(em: EntityManager, viewer: Viewer, input: UpdateSettings): Promise<User> {
    if (input.language == null && input.displayCurrency == null && input.mutedNotifications == null)
      throw badInput('Nothing to update: give language, displayCurrency or mutedNotifications');
    return em.transactional(async (tx) => {
      const user = await this.requireViewer(tx, viewer);
      if (input.language != null) user.language = input.language;
      if (input.displayCurrency != null) user.displayCurrency = input.displayCurrency;
      if (input.mutedNotifications != null) user.mutedNotifications = [...new Set(input.mutedNotifications)].sort();
      recordEvent<UserUpdatedPayload>(tx, IdentityEvents.userUpdated, SOURCE, {
        userId: user.id,
        changed: ['settings'],
        language: user.language,
        mutedNotifications: user.mutedNotifications,
      });
      return user;
    });
  }

  async byId(em: EntityManager, id: string): Promise<User> {
    const user = await em.findOne(User, { id });
    if (!user) throw notFound('User', id);
    return user;
  }

  async byIds(em: EntityManager, ids: readonly string[]): Promise<User[]> {
    return em.find(User, { id: { $in: [...ids] } });
  }

  /** `user(id)`: staff read anyone, a user only themselves (the gateway checks too; this is the rule's home). */
  async read(em: EntityManager, viewer: Viewer, id: string): Promise<User | null> {
    if (!viewer.userId) throw unauthenticated();
    if (id !== viewer.userId && !isStaff(viewer)) throw forbidden("Only staff can read another user's account");
    const [user] = await this.byIds(em, [id]);
    return user ?? null;
  }

  /**
   * `_entities(User)`: the users a viewer may see, in key order; another user's account (anyone's, for an
   * anonymous viewer) is a FORBIDDEN error in its place, unless the viewer is staff.
   */
  async referencesFor(em: EntityManager, viewer: Viewer, ids: readonly string[]): Promise<(User | Error | null)[]> {
    const allowed = (id: string) => isStaff(viewer) || (viewer.userId !== null && id === viewer.userId);
    const users = await this.byIds(em, ids.filter(allowed));
    const byId = new Map(users.map((u) => [u.id, u] as const));
    return ids.map((id) =>
      allowed(id) ? (byId.get(id) ?? null) : forbidden("Only staff can read another user's account"),
    );
  }

  /** Staff listing, newest first; the cursor is the last id seen (ids sort by creation time). */
  async list(
    em: EntityManager,
    viewer: Viewer,
    filter: UserFilter,
    first: number,
    after: string | null,
  ): Promise<UserPage> {
    this.requireStaff(viewer);
    if (!Number.isInteger(first) || first < 1 || first > 100)
      throw badInput('first must be between 1 and 100', { field: 'first' });
    const where: Record<string, unknown> = {};
    if (after) where.id = { $lt: after };
    if (filter.role) where.roles = { $contains: [filter.role] };
    if (filter.level != null) where.level = filter.level;
    if (filter.search) {
      const term = filter.search.trim();
      if (term.length > 64) throw badInput('search is too long', { field: 'search' });
      const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.$or = [
        { username: { $ilike: like } },
        { firstName: { $ilike: like } },
        { lastName: { $ilike: like } },
        ...(/^\d+$/.test(term) ? [{ telegramId: term }] : []),
        { id: term },
      ];
    }
    const rows = await em.find(User, where, { orderBy: { id: 'desc' }, limit: first + 1 });
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  async grantRole(em: EntityManager, viewer: Viewer, userId: string, role: string): Promise<User> {
    this.requireSuperadminOf(viewer, userId);
    if (!isRole(role)) throw badInput(`Unknown role ${role}`, { field: 'role' });
    return this.changeAccess(em, userId, 'roles', (user) => (user.roles.includes(role) ? null : [...user.roles, role]));
  }

  async revokeRole(em: EntityManager, viewer: Viewer, userId: string, role: string): Promise<User> {
    this.requireSuperadminOf(viewer, userId);
    if (!isRole(role)) throw badInput(`Unknown role ${role}`, { field: 'role' });
    const user = await this.changeAccess(em, userId, 'roles', (u) =>
      u.roles.includes(role) ? u.roles.filter((r) => r !== role) : null,
    );
    await this.onAccessReduced(userId);
    return user;
  }

  async grantClaim(em: EntityManager, viewer: Viewer, userId: string, claim: string): Promise<User> {
    this.requireSuperadminOf(viewer, userId);
    return this.changeAccess(em, userId, 'claims', (user) =>
      user.claims.includes(claim) ? null : [...user.claims, claim],
    );
  }

  async revokeClaim(em: EntityManager, viewer: Viewer, userId: string, claim: string): Promise<User> {
    this.requireSuperadminOf(viewer, userId);
    const user = await this.changeAccess(em, userId, 'claims', (u) =>
      u.claims.includes(claim) ? u.claims.filter((c) => c !== claim) : null,
    );
    await this.onAccessReduced(userId);
    return user;
  }

  /** Applies new level facts (KYC tier, traded volume) and moves the user's level if the rules say so. */
  async applyLevelFacts(
    em: EntityManager,
    userId: string,
    facts: Partial<{ kycTier: KycTier; tradeVolumeDeltaToman: bigint }>,
  ): Promise<User> {
    return em.transactional(async (tx) => {
      const user = await this.byId(tx, userId);
      if (facts.kycTier) user.kycTier = facts.kycTier;
      if (facts.tradeVolumeDeltaToman) {
        if (facts.tradeVolumeDeltaToman < 0n) throw badInput('trade volume only grows');
        user.tradeVolumeToman = (BigInt(user.tradeVolumeToman) + facts.tradeVolumeDeltaToman).toString();
      }
      const next = this.levels.levelFor(this.factsOf(user));
      if (next !== user.level) {
        const from = user.level;
        user.level = next;
        recordEvent(tx, IdentityEvents.levelChanged, SOURCE, { userId, from, to: next });
        recordEvent<UserUpdatedPayload>(tx, IdentityEvents.userUpdated, SOURCE, { userId, changed: ['level'] });
      }
      return user;
    });
  }

  factsOf(user: User): LevelFacts {
    return { kycTier: user.kycTier, tradeVolumeToman: BigInt(user.tradeVolumeToman) };
  }

  /** A SUPERADMIN changing someone else's access: nobody grants or revokes their own roles or claims. */
  private requireSuperadminOf(viewer: Viewer, userId: string): void {
    if (!viewer.roles.includes('SUPERADMIN')) throw forbidden('Only a SUPERADMIN can change roles and claims');
    if (userId === viewer.userId) {
      throw new DomainError(
        ErrorCode.SELF_ACCESS_CHANGE,
        'Nobody changes their own roles or claims; another SUPERADMIN has to',
      );
    }
  }

  private requireStaff(viewer: Viewer): void {
    if (!viewer.userId) throw unauthenticated();
    if (!isStaff(viewer)) throw forbidden('Staff only');
  }

  private async changeAccess<K extends 'roles' | 'claims'>(
    em: EntityManager,
    userId: string,
    field: K,
    next: (user: User) => User[K] | null,
  ): Promise<User> {
    return em.transactional(async (tx) => {
      const user = await this.byId(tx, userId);
      const value = next(user);
      if (value === null) return user; // already so: idempotent
      user[field] = value;
      recordEvent<UserUpdatedPayload>(tx, IdentityEvents.userUpdated, SOURCE, { userId, changed: [field] });
      return user;
    });
  }
}
