import type { KycConfig } from '../../platform/config/config.js';
import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/service/subgraph.js';
import { kycMigrations } from '../../migrations/kyc/index.js';
import type { KycServices } from './context.js';
import { KycDocument } from './document/document.entity.js';
import { VerificationCode, VerifiedPhone } from './phone/phone.entity.js';
import { KycDecision, KycSubmission } from './submission/submission.entity.js';
import { submissionReference } from './submission/submission.reference.js';
import { SubmissionResolver } from './submission/submission.resolver.js';
import { SubmissionService } from './submission/submission.service.js';
import { KycUser, KycUserResolver, userReference } from './user/user.resolver.js';

export function buildKycServices(deps: Pick<SubgraphDeps<KycConfig>, 'config' | 'log'>): KycServices {
  const log = deps.log.child({ component: 'kyc' });
  return { submissions: new SubmissionService(log) };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildKycSchema() {
  return buildSubgraph({
    resolvers: [SubmissionResolver, KycUserResolver],
    orphanedTypes: [KycUser],
    references: { KycSubmission: submissionReference, User: userReference },
  });
}

export const kycSubgraph: SubgraphDefinition<KycConfig> = {
  name: 'kyc',
  entities: [KycSubmission, KycDecision, VerifiedPhone, VerificationCode, KycDocument],
  migrations: kycMigrations,
  async build(deps) {
    const services = buildKycServices(deps);
    const schema = await buildKycSchema();
    return { schema, context: () => ({ kyc: services }) };
  },
};
