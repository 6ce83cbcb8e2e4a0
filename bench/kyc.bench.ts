import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { startDevS3 } from '../devnet/s3/s3-server.js';
import { startSmsSimulator } from '../devnet/sms/sms.simulator.js';
import { newId } from '../platform/ids.js';
import { createS3ObjectStore } from '../platform/storage/s3.object-store.js';
import { gql } from '../testing/graphql-client.js';
import { startStack } from '../testing/stack.js';
import { arg, machine } from './harness.js';
import { measure, must, signInTelegramUser } from './gateway-load.js';

/**
 * npm run bench:kyc [-- --users 20 --trips 10 --probes 300]
 * In one run, through the gateway of an in-process stack (real Postgres, Redis, NATS, the SMS simulator and the
 * devnet S3 server): phone-code round trips per second (sendPhoneCode, read the code at the simulator,
 * verifyPhoneCode; `users` users in parallel, `trips` each, a new number every trip), the p99 of submitKyc with
 * three accepted documents (one per user), and the same figures of a trivial gateway query (`levelRules`) as the
 * yardstick; prints the ratios.
 */
const users = arg('users', 20);
const trips = arg('trips', 10);
const probes = arg('probes', 300);

const dir = `.tmp/bench-kyc-s3-${process.pid}`;
const s3 = await startDevS3({ port: 0, dir });
const bucket = 'bench-kyc';
const options = {
  endpoint: s3.url,
  region: 'us-east-1',
  bucket,
  accessKeyId: 'devnet-s3-access-key',
  secretAccessKey: 'devnet-s3-secret-key-change-me-0123456789',
  forcePathStyle: true,
};
const store = createS3ObjectStore(options);
await store.ensureBucket();
const sms = await startSmsSimulator();
const stack = await startStack({
  S3_DEVNET: 'false',
  S3_ENDPOINT: s3.url,
  S3_BUCKET: bucket,
  S3_ACCESS_KEY_ID: options.accessKeyId,
  S3_SECRET_ACCESS_KEY: options.secretAccessKey,
  KAVENEGAR_BASE_URL: sms.url,
  KYC_USER_SENDS_PER_HOUR: '1000000',
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
});
const kycSql = (text: string, params: unknown[]) =>
  stack.subgraphs.get('kyc')!.deps.orm.em.fork().getConnection().execute(text, params);

const signIn = () => signInTelegramUser(stack.graphqlUrl);

try {
  const people = await Promise.all(Array.from({ length: users }, () => signIn()));
  const trivial = async () =>
    must(await gql(stack.graphqlUrl, `{ levelRules { level } }`, {}, people[0]!.token), 'levelRules');
  await measure(50, users, trivial); // warm-up
  const base = await measure(probes, users, trivial);

  let numbers = 0;
  // Each worker is one user, so no user verifies two numbers at once.
  const roundTrip = async (_i: number, worker: number) => {
    const p = people[worker]!;
    const phone = `+98935${String(++numbers).padStart(7, '0')}`;
    must(
      await gql(
        stack.graphqlUrl,
        `mutation($p: String!) { sendPhoneCode(phone: $p) { phone } }`,
        { p: phone },
        p.token,
      ),
      'send',
    );
    const code = sms.lastCode(phone)!;
    must(
      await gql(
        stack.graphqlUrl,
        `mutation($p: String!, $c: String!) { verifyPhoneCode(phone: $p, code: $c) { phone } }`,
        { p: phone, c: code },
        p.token,
      ),
      'verify',
    );
  };
  const phone = await measure(users * trips, users, roundTrip);

  // Three accepted documents per user (the upload flow is measured by its own tests; submitKyc reads the rows).
  for (const p of people) {
    for (const kind of ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SELFIE']) {
      const id = newId('doc');
      await kycSql(
        `insert into kyc.kyc_document (id, user_id, kind, object_key, status, size, content_type, checked_at) values (?, ?, ?, ?, 'ACCEPTED', 1000, 'image/jpeg', now())`,
        [id, p.userId, kind, `kyc/${p.userId}/${id}`],
      );
      (p as { docs?: string[] }).docs = [...((p as { docs?: string[] }).docs ?? []), id];
    }
  }
  const submit = await measure(users, users, async (i) => {
    const p = people[i]! as { token: string; docs?: string[] };
    must(
      await gql(
        stack.graphqlUrl,
        `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id } }`,
        {
          i: {
            tier: 'FULL',
            firstName: 'علی',
            lastName: 'رضایی',
            nationalId: '0499370899',
            birthDate: '1370/05/12',
            documentIds: p.docs,
          },
        },
        p.token,
      ),
      'submitKyc',
    );
  });

  const f = (n: number) => n.toFixed(1);
  console.log(`bench:kyc — ${machine()}; ${users} users in parallel`);
  console.log(`trivial query (levelRules): ${f(base.perSecond)}/s, p50 ${f(base.p50)} ms, p99 ${f(base.p99)} ms`);
  console.log(
    `phone-code round trip (send + verify): ${f(phone.perSecond)}/s, p50 ${f(phone.p50)} ms, p99 ${f(phone.p99)} ms; ` +
      `${(phone.perSecond / base.perSecond).toFixed(3)}× the trivial query's rate`,
  );
  console.log(
    `submitKyc with three documents: p50 ${f(submit.p50)} ms, p99 ${f(submit.p99)} ms; ` +
      `${(submit.p99 / base.p99).toFixed(2)}× the trivial query's p99`,
  );
} finally {
  await stack.close();
  await sms.close();
  store.close();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
}
