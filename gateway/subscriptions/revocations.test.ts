import { describe, expect, it } from 'vitest';
import { parseRevocation } from './revocations.js';

describe('parseRevocation', () => {
  it('reads a session family or a user, and nothing else', () => {
    expect(parseRevocation('{"familyId":"sfm_1"}')).toEqual({ familyId: 'sfm_1' });
    expect(parseRevocation('{"userId":"usr_1"}')).toEqual({ userId: 'usr_1' });
    for (const bad of ['', 'null', '[]', '{"familyId":""}', '{"userId":42}', '{}', 'not json'])
      expect(parseRevocation(bad)).toBeNull();
  });
});
