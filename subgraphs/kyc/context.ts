import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { SubmissionService } from './submission/submission.service.js';

export interface KycServices {
  submissions: SubmissionService;
}

export interface KycContext extends SubgraphContext {
  kyc: KycServices;
}
