import { describe, expect, it } from 'vitest';
import {
  policyExtensionsOf,
  policyExtensionsSchema,
  warningTimes,
} from '../../../functions/src/domain/policy-extensions';
import { DEFAULT_POLICY } from '../policy-fixture';

describe('policy extensions (warnAt, duplicateLocators)', () => {
  it('reads the defaults from a policy that has neither field', () => {
    expect(policyExtensionsOf(DEFAULT_POLICY)).toEqual({ warnAt: [0.5, 0.9], duplicateLocators: 'warn' });
  });

  it('reads the fields when present and refuses bad ones', () => {
    const policy = {
      ...DEFAULT_POLICY,
      warnAt: [0.75],
      duplicateLocators: 'reject',
    } as typeof DEFAULT_POLICY;
    expect(policyExtensionsOf(policy)).toEqual({ warnAt: [0.75], duplicateLocators: 'reject' });
    for (const warnAt of [[0], [1], [0.9, 0.5], [0.5, 0.5]])
      expect(policyExtensionsSchema.safeParse({ warnAt }).success).toBe(false);
    expect(policyExtensionsSchema.safeParse({ duplicateLocators: 'ignore' }).success).toBe(false);
  });

  it('places warnings at the fractions of the time to the deadline, only those still ahead', () => {
    const start = new Date('2026-11-27T00:00:00Z');
    const deadline = new Date('2026-11-28T00:00:00Z');
    expect(warningTimes(start, deadline, [0.5, 0.9], start).map((at) => at.toISOString())).toEqual([
      '2026-11-27T12:00:00.000Z',
      '2026-11-27T21:36:00.000Z',
    ]);
    expect(warningTimes(start, deadline, [0.5, 0.9], new Date('2026-11-27T13:00:00Z'))).toHaveLength(1);
  });
});
