import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { applyOnce } from '../../../platform/bus/inbox.js';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import type { Logger } from '../../../platform/logger.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import { Session } from '../session/session.entity.js';
import type { SessionService } from '../session/session.service.js';
import { User } from '../user/user.entity.js';
import { IdentityEvents, type UserUpdatedPayload } from '../user/user.events.js';

export const RECOVERY_SUBJECT = 'kyc.recovery.approved';
const DURABLE = 'identity-account-recovery';
const SOURCE = 'identity';

/** Published when a recovery moved a Telegram id: `userId` now signs in with it; `retiredUserId` no longer can. */
export const ACCOUNT_RECOVERED = 'identity.user.recovered';
/** Published when an approved recovery could not be applied (nothing was changed); `reason` says why. */
export const RECOVERY_REFUSED = 'identity.user.recovery-refused';

export interface AccountRecoveredPayload {
  recoveryId: string;
  userId: string;
  retiredUserId: string;
}

export type RecoveryRefusalReason =
  'USER_NOT_FOUND' | 'NO_TELEGRAM_ID' | 'NEW_ACCOUNT_NOT_EMPTY' | 'OLD_ACCOUNT_HAS_NO_TELEGRAM';

export interface RecoveryRefusedPayload {
  recoveryId: string;
  oldUserId: string;
  newUserId: string;
  reason: RecoveryRefusalReason;
}

/**
 * Applies `kyc.recovery.approved` `{ recoveryId, oldUserId, newUserId }` once (inbox), in one transaction:
 * the new account's Telegram id (and profile) moves to the old account, the new account is retired (no Telegram
 * id left, so it can never sign in again), every session of both is revoked. Then their access tokens are
 * refused from now on and their open sockets closed (revocation keys + the Redis channel), also on a redelivery.
 *
 * The new account must be empty as identity sees it: only the USER role, no claims, no KYC tier, no traded
 * volume (kyc already refused one holding KYC data). Otherwise nothing changes and `identity.user.recovery-refused`
 * says why.
 */
export async function startRecoveryConsumer(deps: SubgraphDeps, sessions: SessionService) {
  const log = deps.log.child({ consumer: DURABLE });
  return runSubgraphConsumer(deps, {
    durable: DURABLE,
    subjects: [RECOVERY_SUBJECT],
    log,
    handle: async (event: EventEnvelope) => {
      const p = event.payload as { recoveryId?: unknown; oldUserId?: unknown; newUserId?: unknown };
      if (typeof p.recoveryId !== 'string' || typeof p.oldUserId !== 'string' || typeof p.newUserId !== 'string')
        return;
      const payload = { recoveryId: p.recoveryId, oldUserId: p.oldUserId, newUserId: p.newUserId };
      let moved = false;
      await applyOnce(deps.orm.em, DURABLE, event, async (tx) => {
        moved = await applyRecovery(tx, payload, log);
      });
      // Idempotent, and repeated on a redelivery, so a failure here after the commit is retried.
      if (moved || (await wasApplied(deps.orm.em, payload))) {
        await sessions.invalidateAccessTokens(payload.oldUserId);
        await sessions.invalidateAccessTokens(payload.newUserId);
      }
    },
  });
}

async function wasApplied(em: EntityManager, p: { oldUserId: string; newUserId: string }): Promise<boolean> {
  const retired = await em.fork().findOne(User, { id: p.newUserId }, { fields: ['telegramId'] });
  return retired !== null && retired.telegramId === null;
}

async function applyRecovery(
  tx: EntityManager,
  p: { recoveryId: string; oldUserId: string; newUserId: string },
  log: Logger,
): Promise<boolean> {
  const refuse = (reason: RecoveryRefusalReason) => {
    recordEvent<RecoveryRefusedPayload>(tx, RECOVERY_REFUSED, SOURCE, { ...p, reason });
    log.warn({ ...p, reason }, 'account recovery refused');
    return false;
  };
  // Both rows locked, in id order so two recoveries never deadlock.
  const users = await tx.find(
    User,
    { id: { $in: [p.oldUserId, p.newUserId] } },
    { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  const oldUser = users.find((u) => u.id === p.oldUserId);
  const newUser = users.find((u) => u.id === p.newUserId);
  if (!oldUser || !newUser) return refuse('USER_NOT_FOUND');
  if (!newUser.telegramId) return refuse('NO_TELEGRAM_ID');
  // A staff account (no Telegram id) is never taken over this way.
  if (!oldUser.telegramId) return refuse('OLD_ACCOUNT_HAS_NO_TELEGRAM');
  const empty =
    newUser.roles.length === 1 &&
    newUser.roles[0] === 'USER' &&
    newUser.claims.length === 0 &&
    newUser.kycTier === 'NONE' &&
    BigInt(newUser.tradeVolumeToman) === 0n;
  if (!empty) return refuse('NEW_ACCOUNT_NOT_EMPTY');

  const telegramId = newUser.telegramId;
  const username = newUser.username;
  // The unique Telegram id is freed first, then given to the old account.
  newUser.telegramId = null;
  newUser.username = null;
  await tx.flush();
  oldUser.telegramId = telegramId;
  oldUser.username = username;
  oldUser.firstName = newUser.firstName;
  oldUser.lastName = newUser.lastName;
  oldUser.photoUrl = newUser.photoUrl;
  oldUser.languageCode = newUser.languageCode;
  await tx.nativeUpdate(
    Session,
    { userId: { $in: [oldUser.id, newUser.id] }, revokedAt: null },
    { revokedAt: new Date(), revokeReason: 'account recovery' },
  );
  // The ledger's directory of usernames: the retired account loses its name before the old one takes it.
  recordEvent<UserUpdatedPayload>(tx, IdentityEvents.userUpdated, SOURCE, {
    userId: newUser.id,
    changed: ['profile'],
    username: null,
    telegramId: null,
  });
  recordEvent<UserUpdatedPayload>(tx, IdentityEvents.userUpdated, SOURCE, {
    userId: oldUser.id,
    changed: ['profile'],
    username,
    // the entity's bigint column comes back as a JS bigint at run time: the payload carries its decimal string
    telegramId: String(telegramId),
  });
  recordEvent<AccountRecoveredPayload>(tx, ACCOUNT_RECOVERED, SOURCE, {
    recoveryId: p.recoveryId,
    userId: oldUser.id,
    retiredUserId: newUser.id,
  });
  await tx.flush();
  log.info({ ...p }, 'account recovered: Telegram id moved, sessions revoked');
  return true;
}
