import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { AuthService } from './auth/auth.service.js';
import type { DelegationService } from './delegation/delegation.service.js';
import type { LevelPolicy } from './level/level-policy.js';
import type { SessionService } from './session/session.service.js';
import type { UserService } from './user/user.service.js';

export interface IdentityServices {
  auth: AuthService;
  users: UserService;
  levels: LevelPolicy;
  sessions: SessionService;
  delegation: DelegationService;
}

export interface IdentityContext extends SubgraphContext {
  identity: IdentityServices;
}
