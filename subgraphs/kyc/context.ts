import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { DocumentService } from './document/document.service.js';
import type { PhoneService } from './phone/phone.service.js';
import type { RecoveryService } from './recovery/recovery.service.js';
import type { SubmissionService } from './submission/submission.service.js';

export interface KycServices {
  submissions: SubmissionService;
  documents: DocumentService;
  phones: PhoneService;
  recoveries: RecoveryService;
}

export interface KycContext extends SubgraphContext {
  kyc: KycServices;
}
