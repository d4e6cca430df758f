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
