import { describe, expect, it } from 'vitest';
import fastPolicy from '../../../config/policies/fast.json';
import { InvalidPolicyError, parsePolicy, urgencyOf } from '../../../functions/src/domain/policy';
import { DEFAULT_POLICY } from '../policy-fixture';

describe('parsePolicy', () => {
  it('accepts both shipped policies, including the one in seconds', () => {
    expect(DEFAULT_POLICY.deadlines.urgent.order).toBe('PT4H');
    expect(parsePolicy(JSON.stringify(fastPolicy)).deadlines.standard.order).toBe('PT6S');
  });

  it('names the broken field', () => {
    const broken = { ...DEFAULT_POLICY, reviewReminderPeriod: 'one day' };
    expect(() => parsePolicy(broken)).toThrow(/reviewReminderPeriod/);
  });

  it('reads warnAt with its default, and refuses fractions out of (0, 1), unordered or too many', () => {
    const { warnAt: _omitted, ...withoutWarnAt } = DEFAULT_POLICY;
    expect(parsePolicy(withoutWarnAt).warnAt).toEqual([0.5, 0.9]);
    expect(parsePolicy(JSON.stringify(fastPolicy)).warnAt).toEqual([0.4, 0.6]);
    expect(parsePolicy({ ...DEFAULT_POLICY, warnAt: [] }).warnAt).toEqual([]);
    for (const warnAt of [[0], [1], [0.9, 0.5], [0.5, 0.5], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], ['half']]) {
      expect(() => parsePolicy({ ...DEFAULT_POLICY, warnAt }), JSON.stringify(warnAt)).toThrow(/warnAt/);
    }
  });

  it('refuses text that is not JSON', () => {
    expect(() => parsePolicy('{')).toThrow(InvalidPolicyError);
  });
});

describe('urgencyOf', () => {
  it('makes the urgent categories urgent and the rest standard', () => {
    expect(urgencyOf(DEFAULT_POLICY, 'csam')).toBe('urgent');
    expect(urgencyOf(DEFAULT_POLICY, 'illegal_drugs_food_cosmetics')).toBe('urgent');
    expect(urgencyOf(DEFAULT_POLICY, 'gambling')).toBe('standard');
  });

  it('lets an agency raise urgency but never lower it', () => {
    expect(urgencyOf(DEFAULT_POLICY, 'gambling', true)).toBe('urgent');
    expect(urgencyOf(DEFAULT_POLICY, 'terrorism', false)).toBe('urgent');
  });
});
