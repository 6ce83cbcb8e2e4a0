import { AccessTokens } from '../../platform/auth/tokens.js';
import type { IdentityConfig } from '../../platform/config/config.js';
import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/service/subgraph.js';
import { identityMigrations } from '../../migrations/identity/index.js';
import { AdminCredential } from './admin/admin-credential.entity.js';
import { AuthResolver } from './auth/auth.resolver.js';
import { AuthService } from './auth/auth.service.js';
import { InitDataVerifier } from './auth/telegram-init-data.js';
import type { IdentityServices } from './context.js';
import { DelegationResolver } from './delegation/delegation.resolver.js';
import { DelegationService } from './delegation/delegation.service.js';
import { startLevelFactsConsumer } from './level/level.consumer.js';
import { LevelPolicy } from './level/level-policy.js';
import { startRecoveryConsumer } from './recovery/recovery.consumer.js';
import { Session } from './session/session.entity.js';
import { SessionService } from './session/session.service.js';
import { User } from './user/user.entity.js';
import { userReference } from './user/user.reference.js';
import { UserResolver } from './user/user.resolver.js';
import { UserService } from './user/user.service.js';

export function buildIdentityServices(
  deps: Pick<SubgraphDeps<IdentityConfig>, 'config' | 'redis' | 'log'>,
): IdentityServices {
  const { config, redis, log } = deps;
  const accessTokens = new AccessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
  const sessions = new SessionService(
    accessTokens,
    redis,
    config.redis.keyPrefix,
    config.auth.refreshTokenTtlDays,
    config.auth.accessTokenTtlSeconds,
    log,
  );
  const levels = new LevelPolicy(config.levels);
  const users = new UserService(levels, (userId) => sessions.invalidateAccessTokens(userId));
  const initData = new InitDataVerifier({
    botToken: config.telegram.botToken,
    botId: config.telegram.botId,
    publicKeyHex: config.telegram.publicKeyHex,
    maxAgeSeconds: config.telegram.authMaxAgeSeconds,
  });
  const auth = new AuthService(initData, users, sessions, log, redis, {
    keyPrefix: config.redis.keyPrefix,
    initDataMaxAgeSeconds: config.telegram.authMaxAgeSeconds,
  });
  const delegation = new DelegationService(config.botDelegation, users, accessTokens, log);
  return { auth, users, levels, sessions, delegation };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildIdentitySchema() {
  return buildSubgraph({
    resolvers: [UserResolver, AuthResolver, DelegationResolver],
    references: { User: userReference },
  });
}

export const identitySubgraph: SubgraphDefinition<IdentityConfig> = {
  name: 'identity',
  entities: [User, Session, AdminCredential],
  migrations: identityMigrations,
  async build(deps) {
    const services = buildIdentityServices(deps);
    const schema = await buildIdentitySchema();
    const levelFacts = await startLevelFactsConsumer(deps, services.users);
    const recoveries = await startRecoveryConsumer(deps, services.sessions);
    return { schema, background: [levelFacts, recoveries], context: () => ({ identity: services }) };
  },
};
