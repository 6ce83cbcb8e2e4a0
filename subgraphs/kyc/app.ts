import type { KycConfig } from '../../platform/config/config.js';
import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/service/subgraph.js';
import { kycMigrations } from '../../migrations/kyc/index.js';
import type { KycServices } from './context.js';
import { createS3ObjectStore } from '../../platform/storage/s3.object-store.js';
import type { ObjectStore } from '../../platform/storage/object-store.port.js';
import { KycDocument } from './document/document.entity.js';
import { DocumentResolver } from './document/document.resolver.js';
import { DocumentService } from './document/document.service.js';
import { createOtpSender } from '../../providers/sms/index.js';
import type { OtpSender } from '../../providers/sms/otp-sender.port.js';
import { VerificationCode, VerifiedPhone } from './phone/phone.entity.js';
import { PhoneResolver } from './phone/phone.resolver.js';
import { PhoneService } from './phone/phone.service.js';
import { AccountRecovery, AccountRecoveryAudit, RecoveryCode } from './recovery/recovery.entity.js';
import { RecoveryResolver } from './recovery/recovery.resolver.js';
import { RecoveryService } from './recovery/recovery.service.js';
import { startRecoveryRefusedConsumer } from './recovery/recovery.consumer.js';
import { KycDecision, KycSubmission } from './submission/submission.entity.js';
import { submissionReference } from './submission/submission.reference.js';
import { SubmissionResolver } from './submission/submission.resolver.js';
import { PersonalDataCipher } from './submission/personal-data.js';
import { SubmissionService } from './submission/submission.service.js';
import { KycUser, KycUserResolver, userReference } from './user/user.resolver.js';

export function buildKycServices(
  deps: Pick<SubgraphDeps<KycConfig>, 'config' | 'log' | 'redis'>,
  store: ObjectStore,
  sender: OtpSender,
): KycServices {
  const log = deps.log.child({ component: 'kyc' });
  return {
    submissions: new SubmissionService(log, new PersonalDataCipher(deps.config.kycDataKeys)),
    documents: new DocumentService(store, log),
    phones: new PhoneService(sender, deps.redis, deps.config.redis.keyPrefix, deps.config.kyc.phone, log),
    recoveries: new RecoveryService(sender, deps.redis, deps.config.redis.keyPrefix, deps.config.kyc.phone, log),
  };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildKycSchema() {
  return buildSubgraph({
    resolvers: [SubmissionResolver, DocumentResolver, PhoneResolver, RecoveryResolver, KycUserResolver],
    orphanedTypes: [KycUser],
    references: { KycSubmission: submissionReference, User: userReference },
  });
}

export const kycSubgraph: SubgraphDefinition<KycConfig> = {
  name: 'kyc',
  entities: [
    KycSubmission,
    KycDecision,
    VerifiedPhone,
    VerificationCode,
    KycDocument,
    RecoveryCode,
    AccountRecovery,
    AccountRecoveryAudit,
  ],
  migrations: kycMigrations,
  async build(deps) {
    // Private bucket; the client is stateless until used (the bucket is provisioned, or created by the devnet server).
    const store = createS3ObjectStore(deps.config.storage);
    const sender = createOtpSender(deps.config.sms, deps.log.child({ component: 'sms' }));
    const services = buildKycServices(deps, store, sender);
    const schema = await buildKycSchema();
    const refusals = await startRecoveryRefusedConsumer(deps);
    return {
      schema,
      background: [refusals, { stop: () => Promise.resolve(store.close()) }],
      context: () => ({ kyc: services }),
    };
  },
};
