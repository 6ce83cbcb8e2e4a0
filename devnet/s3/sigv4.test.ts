import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { S3AuthError, signingKey, verifyPostPolicy, type PostForm } from './sigv4.js';

/** The devnet front's POST policy checks, on hand-made forms (the SDK-made ones are covered by the adapter's tests). */
const SECRET = 'test-secret-0123456789abcdef';
const lookup = (id: string) => (id === 'AK' ? SECRET : null);
const NOW = new Date('2026-12-07T10:00:00Z');

function form(
  conditions: unknown[],
  fields: Record<string, string>,
  fileSize = 10,
  expiration = '2026-12-07T10:05:00Z',
): PostForm {
  const policy = Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64');
  const signature = createHmac('sha256', signingKey(SECRET, '20261207', 'us-east-1', 's3'))
    .update(policy)
    .digest('hex');
  const all = {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': 'AK/20261207/us-east-1/s3/aws4_request',
    'x-amz-date': '20261207T100000Z',
    ...fields,
    policy,
    'x-amz-signature': signature,
  };
  return { fields: new Map(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v])), fileSize };
}
const amz = [
  { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
  { 'x-amz-credential': 'AK/20261207/us-east-1/s3/aws4_request' },
  { 'x-amz-date': '20261207T100000Z' },
];
const code = (f: () => unknown) => {
  try {
    f();
    return 'OK';
  } catch (err) {
    return (err as S3AuthError).code;
  }
};

describe('verifyPostPolicy', () => {
  it('accepts a form meeting every condition (exact, starts-with, size range)', () => {
    const f = form([...amz, { bucket: 'b' }, ['starts-with', '$key', 'docs/'], ['content-length-range', 1, 100]], {
      key: 'docs/x',
    });
    expect(code(() => verifyPostPolicy(f, 'b', lookup, NOW))).toBe('OK');
  });

  it('refuses a field the policy does not cover, a key outside the prefix, another bucket', () => {
    const conditions = [...amz, { bucket: 'b' }, ['starts-with', '$key', 'docs/']];
    expect(
      code(() => verifyPostPolicy(form(conditions, { key: 'docs/x', acl: 'public-read' }), 'b', lookup, NOW)),
    ).toBe('AccessDenied');
    expect(code(() => verifyPostPolicy(form(conditions, { key: 'other/x' }), 'b', lookup, NOW))).toBe('AccessDenied');
    expect(code(() => verifyPostPolicy(form(conditions, { key: 'docs/x' }), 'c', lookup, NOW))).toBe('AccessDenied');
  });

  it('enforces both ends of content-length-range', () => {
    const conditions = [...amz, ['content-length-range', 5, 10], { key: 'k' }];
    expect(code(() => verifyPostPolicy(form(conditions, { key: 'k' }, 4), 'b', lookup, NOW))).toBe('EntityTooSmall');
    expect(code(() => verifyPostPolicy(form(conditions, { key: 'k' }, 11), 'b', lookup, NOW))).toBe('EntityTooLarge');
    expect(code(() => verifyPostPolicy(form(conditions, { key: 'k' }, 10), 'b', lookup, NOW))).toBe('OK');
  });

  it('refuses an expired policy, an unknown key id and a policy edited after signing', () => {
    const conditions = [...amz, { key: 'k' }];
    expect(
      code(() => verifyPostPolicy(form(conditions, { key: 'k' }, 1, '2026-12-07T09:59:59Z'), 'b', lookup, NOW)),
    ).toBe('AccessDenied');
    const unknown = form(conditions, { key: 'k', 'x-amz-credential': 'XX/20261207/us-east-1/s3/aws4_request' });
    expect(code(() => verifyPostPolicy(unknown, 'b', lookup, NOW))).toBe('InvalidAccessKeyId');
    const edited = form(conditions, { key: 'k' });
    const policy = JSON.parse(Buffer.from(edited.fields.get('policy')!, 'base64').toString()) as { expiration: string };
    policy.expiration = '2030-01-01T00:00:00Z';
    edited.fields.set('policy', Buffer.from(JSON.stringify(policy)).toString('base64'));
    expect(code(() => verifyPostPolicy(edited, 'b', lookup, NOW))).toBe('SignatureDoesNotMatch');
  });
});
