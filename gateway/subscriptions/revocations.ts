import type { Logger } from '../../platform/logger.js';
import type { Redis } from '../../platform/redis.js';
import { revocationChannel } from '../../platform/auth/revocation-keys.js';
import type { Revocation } from './socket-auth.js';

/**
 * Listens on the identity subgraph's revocation channel with its own Redis connection (a subscribed
 * connection can do nothing else) and hands every well-formed notice to `onRevoked`. ioredis subscribes
 * again after a reconnect; a notice missed meanwhile is still enforced, as every operation on a socket
 * passes the authenticator's revocation check, and the socket closes when its token expires.
 */
export async function listenForRevocations(
  redis: Redis,
  keyPrefix: string,
  log: Logger,
  onRevoked: (revocation: Revocation) => void,
): Promise<{ close(): void }> {
  const subscriber = redis.duplicate();
  subscriber.on('error', (err: Error) => log.warn({ err: err.message }, 'revocation listener: redis error'));
  const channel = revocationChannel(keyPrefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const revocation = parseRevocation(message);
    if (!revocation) {
      log.warn({ channel }, 'ignoring a malformed revocation notice');
      return;
    }
    onRevoked(revocation);
  });
  await subscriber.subscribe(channel);
  return { close: () => subscriber.disconnect() };
}

export function parseRevocation(message: string): Revocation | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { familyId, userId } = value as Record<string, unknown>;
  if (typeof familyId === 'string' && familyId) return { familyId };
  if (typeof userId === 'string' && userId) return { userId };
  return null;
}
