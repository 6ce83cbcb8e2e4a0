import { applyOnce } from '../../../platform/bus/inbox.js';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import type { UserDirectory } from './directory.service.js';

/**
 * identity.user.created { userId, telegramId, username } and identity.user.updated { userId, changed,
 * username? } keep the ledger's user directory (transfer recipients by id or username);
 * identity.user.level-changed { userId, from, to } its copy of each user's level (the level limits).
 * Applied once each.
 */
export const DIRECTORY_SUBJECTS = ['identity.user.created', 'identity.user.updated', 'identity.user.level-changed'];
const CONSUMER = 'ledger-user-directory';

export async function startDirectoryConsumer(deps: SubgraphDeps, directory: UserDirectory) {
  return runSubgraphConsumer(deps, {
    durable: CONSUMER,
    subjects: DIRECTORY_SUBJECTS,
    log: deps.log.child({ consumer: CONSUMER }),
    handle: (event) => applyDirectoryEvent(deps, directory, event),
  });
}

export async function applyDirectoryEvent(
  deps: Pick<SubgraphDeps, 'orm'>,
  directory: UserDirectory,
  event: EventEnvelope,
): Promise<void> {
  const payload = event.payload as { userId?: unknown; telegramId?: unknown; username?: unknown; to?: unknown };
  if (typeof payload.userId !== 'string') return;
  const userId = payload.userId;
  if (event.type === 'identity.user.level-changed') {
    const level = payload.to;
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 999) return;
    await applyOnce(deps.orm.em, CONSUMER, event, (tx) =>
      directory.rememberLevel(tx, { userId, level, seenAt: new Date(event.occurredAt) }),
    );
    return;
  }
  const username =
    'username' in payload && (typeof payload.username === 'string' || payload.username === null)
      ? payload.username
      : undefined;
  const telegramId = typeof payload.telegramId === 'string' ? payload.telegramId : null;
  await applyOnce(deps.orm.em, CONSUMER, event, (tx) =>
    directory.remember(tx, { userId, username, telegramId, seenAt: new Date(event.occurredAt) }),
  );
}
