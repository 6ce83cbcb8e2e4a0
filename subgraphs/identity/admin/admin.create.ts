import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password.js';
import { User } from '../user/user.entity.js';
import { AdminCredential } from './admin-credential.entity.js';

/**
 * Creates a staff account (user + email/password credential). Needs only the identity schema: `admin:create`
 * calls it without the identity subgraph's token or bot secrets.
 */
export async function createAdminAccount(
  em: EntityManager,
  input: { email: string; password: string; roles: User['roles']; username?: string },
): Promise<User> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw badInput('email is not valid', { field: 'email' });
  if (input.password.length < MIN_PASSWORD_LENGTH)
    throw badInput(`password must be at least ${MIN_PASSWORD_LENGTH} characters`, { field: 'password' });
  const passwordHash = await hashPassword(input.password);
  return em.transactional(async (tx) => {
    if (await tx.findOne(AdminCredential, { email }))
      throw badInput('an admin with this email exists', { field: 'email' });
    const user = tx.create(User, { roles: input.roles, username: input.username ?? email.split('@')[0] ?? null });
    await tx.flush(); // the credential references the user row
    tx.create(AdminCredential, { userId: user.id, email, passwordHash });
    return user;
  });
}
