import { describe, expect, it } from 'vitest';
import {
  rotatedSecrets,
  SECRET_OVERLAP_MS,
  secretsInForce,
} from '../../../functions/src/domain/platform-secrets';

const before = {
  current: { notificationSecret: 'n-old', responseSecret: 'r-old', createdAt: '2026-11-01T00:00:00.000Z' },
  previous: null,
};
const now = new Date('2026-11-27T00:00:00.000Z');

describe('platform secrets', () => {
  it('keeps the previous pair in force for the overlap after a rotation, in both directions', () => {
    const rotated = rotatedSecrets(before, { notificationSecret: 'n-new', responseSecret: 'r-new' }, now);
    expect(rotated).toEqual({
      current: { notificationSecret: 'n-new', responseSecret: 'r-new', createdAt: now.toISOString() },
      previous: { ...before.current, validUntil: new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString() },
    });
    const during = new Date(now.getTime() + SECRET_OVERLAP_MS - 1);
    expect(secretsInForce(rotated, 'notificationSecret', during)).toEqual(['n-new', 'n-old']);
    expect(secretsInForce(rotated, 'responseSecret', during)).toEqual(['r-new', 'r-old']);
    const after = new Date(now.getTime() + SECRET_OVERLAP_MS);
    expect(secretsInForce(rotated, 'responseSecret', after)).toEqual(['r-new']);
    expect(secretsInForce(before, 'responseSecret', now)).toEqual(['r-old']);
  });
});
